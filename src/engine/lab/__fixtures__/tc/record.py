#!/usr/bin/env python3
# Records what tc (iproute2 6.1.0) and iptables print on this kernel for the
# cases beside it (tc-*.json): two network namespaces joined by a veth, built
# the way the oracle builds a case's hosts (MACs 02:00:00:00:HH:NN, IPv6 off,
# lo up, then each host's setup with iptables-legacy), and the case's six UDP
# datagrams (1000 bytes of data, a 1042-byte frame on the veth) sent from one
# socket one second apart, as the engine's clock puts a case's steps. The
# shared oracle refuses tc in a setup, hence this recorder.
#   tc.golden.txt      `### CASE HOST: COMMAND`, stdout, stderr, `[exit N]`
#                      for queries.txt, 6.3 s after the first datagram
#   tc.drained.golden.txt the same for queries.drained.txt, 9.6 s after
#                      (every held frame has left)
#   timeline.golden.txt `### CASE HOST @N.5s: tc -s qdisc show dev eth0`
#                      half a second after each datagram
#   writes.golden.txt  writes.txt's commands on a fresh tc-pfifo build
#                      without its tc lines (`=` lines keep their output)
# Everything lives in namespaces named pwtc-*, removed at the end.
# Run as root: `python3 record.py`.
import json, os, shlex, subprocess, time

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = 'pwtc-'
# when queries.txt runs: after every case's last departure before 8 s (tbf's
# fourth frame leaves at 5.936 s, htb's fifth at 5.936 s), far from the next
AT = 6.3
# when queries.drained.txt runs: every queue empty (tbf's last frame leaves at 8.02 s)
DRAINED = 9.6
ns = {}

def run(argv, check=True, **kw):
    return subprocess.run(argv, capture_output=True, text=True, check=check, **kw)

def nsx(h, argv, check=True):
    return run(['ip', 'netns', 'exec', ns[h]] + argv, check)

def legacy(argv):
    return ['iptables-legacy'] + argv[1:] if argv[0] == 'iptables' else argv

def teardown():
    for n in list(ns.values()):
        run(['ip', 'netns', 'del', n], check=False)

def build(case, with_tc=True):
    teardown()
    ns.clear()
    hosts = [h['name'] for h in case['hosts']]
    for h in hosts:
        ns[h] = PREFIX + h
        run(['ip', 'netns', 'add', ns[h]])
        for k in ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']:
            nsx(h, ['sysctl', '-q', '-w', k])
        run(['ip', '-n', ns[h], 'link', 'set', 'lo', 'up'])
    hidx = {h: i + 1 for i, h in enumerate(hosts)}
    counter = {h: 0 for h in hosts}
    eps = []
    def mac(ep):
        counter[ep[0]] += 1
        eps.append(ep)
        return '02:00:00:00:%02x:%02x' % (hidx[ep[0]], counter[ep[0]])
    for a, b in case['links']:
        a, b = a.split(':'), b.split(':')
        ma, mb = mac(a), mac(b)
        run(['ip', '-n', ns[a[0]], 'link', 'add', a[1], 'address', ma, 'type', 'veth', 'peer', 'name', b[1], 'address', mb, 'netns', ns[b[0]]])
    for h, i in eps:
        run(['ip', '-n', ns[h], 'link', 'set', i, 'up'])
    for h in case['hosts']:
        for cmd in h['setup']:
            if with_tc or not cmd.startswith('tc '):
                nsx(h['name'], legacy(shlex.split(cmd)))

SEND = r'''
import json, socket, subprocess, sys, time
AT = float(sys.argv[3])
steps = json.loads(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", steps[0]["sport"]))
t0 = time.monotonic()
for i, st in enumerate(steps):
    while time.monotonic() < t0 + i:
        time.sleep(min(0.01, t0 + i - time.monotonic()) if t0 + i > time.monotonic() else 0)
    addr, port = st["udp"].rsplit(":", 1)
    s.sendto(st["data"].encode(), (addr, int(port)))
    while time.monotonic() < t0 + i + 0.5:
        time.sleep(0.01)
    r = subprocess.run(["tc", "-s", "qdisc", "show", "dev", sys.argv[2]], capture_output=True, text=True)
    print("### @%d.5s: tc -s qdisc show dev %s" % (i, sys.argv[2]))
    print(r.stdout, end="")
while time.monotonic() < t0 + AT:
    time.sleep(0.01)
print("SENT", flush=True)
'''

def section(host, cmd, case=None):
    r = nsx(host, legacy(shlex.split(cmd)), check=False)
    head = '%s %s: %s' % (case, host, cmd) if case else '%s: %s' % (host, cmd)
    tail = '' if r.returncode == 0 else '[exit %d]\n' % r.returncode
    return '### %s\n%s%s%s' % (head, r.stdout, r.stderr, tail)

def lines(name):
    for line in open(os.path.join(HERE, name)):
        if not line.startswith('#') and line.strip():
            yield line.rstrip('\n')

def main():
    queries = {}
    for line in lines('queries.txt'):
        name, rest = line.split(' ', 1)
        host, cmd = rest.split(': ', 1)
        queries.setdefault(name, []).append((host, cmd))
    drained_queries = {}
    for line in lines('queries.drained.txt'):
        name, rest = line.split(' ', 1)
        host, cmd = rest.split(': ', 1)
        drained_queries.setdefault(name, []).append((host, cmd))
    out = []
    drained = []
    timeline = []
    try:
        for name, qs in queries.items():
            case = json.load(open(os.path.join(HERE, name + '.json')))
            build(case)
            steps = case['steps']
            launched = time.monotonic()
            r = nsx(steps[0]['from'], ['python3', '-c', SEND, json.dumps(steps), 'eth0', str(AT)])
            assert r.stdout.endswith('SENT\n')
            timeline.append(r.stdout[:-len('SENT\n')].replace('### @', '### %s %s @' % (name, steps[0]['from'])))
            for host, cmd in qs:
                out.append(section(host, cmd, name))
            while time.monotonic() < launched + DRAINED:
                time.sleep(0.05)
            for host, cmd in drained_queries.get(name, []):
                drained.append(section(host, cmd, name))
        with open(os.path.join(HERE, 'tc.golden.txt'), 'w') as f:
            f.write(''.join(out))
        with open(os.path.join(HERE, 'tc.drained.golden.txt'), 'w') as f:
            f.write(''.join(drained))
        with open(os.path.join(HERE, 'timeline.golden.txt'), 'w') as f:
            f.write(''.join(timeline))
        build(json.load(open(os.path.join(HERE, 'tc-pfifo.json'))), with_tc=False)
        out.clear()
        for line in lines('writes.txt'):
            keep = line.startswith('= ')
            host, cmd = line.lstrip('= ').split(': ', 1)
            s = section(host, cmd)
            if keep:
                out.append(s)
        with open(os.path.join(HERE, 'writes.golden.txt'), 'w') as f:
            f.write(''.join(out))
    finally:
        teardown()

main()
