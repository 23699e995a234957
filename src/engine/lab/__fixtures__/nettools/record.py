#!/usr/bin/env python3
# Records what ss (iproute2 6.1.0) and Debian's net-tools 2.10 print for
# queries.txt and writes.txt on nettools.json's hosts, built as network
# namespaces the way the oracle builds them (../readonly/record.py does the
# same for iptables and ip): veth pairs with MACs 02:00:00:00:HH:NN, IPv6 off,
# lo up, then each host's setup. The sockets are made by the oracle's own
# agent (../../../../../../shared/oracle/lib/agent.py `serve`, the case's
# listeners) and by a small client kept here (hold_client), so each state is
# one the engine's walk of nettools.json passes through:
#   start     listeners up, nothing sent;
#   estab     the client's 10.0.1.2:40000 connected to 10.0.2.2:80, accepted;
#   timewait  the client shut down, the server closed on EOF;
#   synrecv   a fresh build whose server drops the client's last handshake ACK.
# Writes nettools.golden.txt (`### STATE HOST: COMMAND`, then stdout, then
# stderr, then `[exit N]` when the tool failed) and writes.golden.txt.
# Run as root on a scratch machine with net-tools installed
# (`apt-get install -y net-tools`): `python3 record.py`.
import json, os, shlex, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT = os.environ.get('PACKETWALK_AGENT', '/work/shared/oracle/lib/agent.py')
case = json.load(open(os.path.join(HERE, 'nettools.json')))
PREFIX = 'pwnt-'
hosts = [h['name'] for h in case['hosts']]
ns = {h: PREFIX + h for h in hosts}
procs = []

def run(argv, check=True, **kw):
    return subprocess.run(argv, capture_output=True, text=True, check=check, **kw)

def nsx(h, argv, check=True):
    return run(['ip', 'netns', 'exec', ns[h]] + argv, check)

def legacy(argv):
    return ['iptables-legacy'] + argv[1:] if argv[0] == 'iptables' else argv

def teardown():
    for p in procs:
        p.kill()
        p.wait()
    procs.clear()
    for h in hosts:
        run(['ip', 'netns', 'del', ns[h]], check=False)

def build():
    teardown()
    for h in hosts:
        run(['ip', 'netns', 'add', ns[h]])
        for k in ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']:
            nsx(h, ['sysctl', '-q', '-w', k])
        run(['ip', '-n', ns[h], 'link', 'set', 'lo', 'up'])
    counter = {h: 0 for h in hosts}
    hidx = {h: i + 1 for i, h in enumerate(hosts)}
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
            nsx(h['name'], legacy(shlex.split(cmd)))
    # the oracle starts its listeners after setup
    by_host = {}
    for l in case['listeners']:
        by_host.setdefault(l['host'], []).append({k: v for k, v in l.items() if k != 'host'})
    for h, spec in by_host.items():
        p = subprocess.Popen(['ip', 'netns', 'exec', ns[h], 'python3', AGENT, 'serve', json.dumps(spec), '/dev/null'], stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == 'READY'
        procs.append(p)

HOLD = r'''
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[2])))
s.settimeout(2)
s.connect((sys.argv[1], 80))
print("CONNECTED", flush=True)
sys.stdin.readline()
s.shutdown(socket.SHUT_WR)
while s.recv(65535):
    pass
s.close()
print("CLOSED", flush=True)
sys.stdin.readline()
'''

def hold_client(dst, sport):
    p = subprocess.Popen(['ip', 'netns', 'exec', ns['client'], 'python3', '-c', HOLD, dst, str(sport)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    procs.append(p)
    assert p.stdout.readline().strip() == 'CONNECTED'
    return p

def section(host, cmd, state=None):
    r = nsx(host, shlex.split(cmd), check=False)
    head = '%s %s: %s' % (state, host, cmd) if state else '%s: %s' % (host, cmd)
    tail = '' if r.returncode == 0 else '[exit %d]\n' % r.returncode
    return '### %s\n%s%s%s' % (head, r.stdout, r.stderr, tail)

def lines(name):
    for line in open(os.path.join(HERE, name)):
        if not line.startswith('#') and line.strip():
            yield line.rstrip('\n')

def main():
    queries = {}
    for line in lines('queries.txt'):
        state, rest = line.split(' ', 1)
        host, cmd = rest.split(': ', 1)
        queries.setdefault(state, []).append((host, cmd))
    out = []
    def record(state):
        time.sleep(0.3)  # the handshake's and the close's last segments have landed
        for host, cmd in queries.get(state, []):
            out.append(section(host, cmd, state))
    try:
        build()
        record('start')
        client = hold_client('10.0.2.2', 40000)
        record('estab')
        client.stdin.write('\n')
        client.stdin.flush()
        assert client.stdout.readline().strip() == 'CLOSED'
        record('timewait')
        build()
        nsx('server', ['iptables-legacy', '-A', 'INPUT', '-p', 'tcp', '--dport', '80', '--tcp-flags', 'SYN,ACK,FIN,RST,PSH', 'ACK', '-j', 'DROP'])
        hold_client('10.0.2.2', 40000)
        record('synrecv')
        with open(os.path.join(HERE, 'nettools.golden.txt'), 'w') as f:
            f.write(''.join(out))
        build()
        out.clear()
        for line in lines('writes.txt'):
            host, cmd = line.lstrip('= ').split(': ', 1)
            out.append(section(host, cmd))
        with open(os.path.join(HERE, 'writes.golden.txt'), 'w') as f:
            f.write(''.join(out))
    finally:
        teardown()

main()
