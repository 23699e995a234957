#!/usr/bin/env python3
# Records what the real tools print for queries.txt on router.json's hosts:
# one network namespace per host, built as the oracle builds them
# (../shared/oracle/lib/oracle.py: veth pairs with MACs 02:00:00:00:HH:NN,
# IPv6 off, lo up, the five legacy iptables tables instantiated), `iptables`
# run as iptables-legacy. Writes router.golden.txt: `### host: command`,
# then what the command printed (stdout, then stderr). Then every rule and
# policy gets fixed counters (iptables-legacy-restore -c) and the -L -v
# queries run again into router.counters.golden.txt.
# iptables-save lists the tables a namespace has loaded, newest first; the
# engine keeps the order a host's commands first used them (as a plain
# machine loads them, sim/iptables-adapter.ts), so the iptables-save
# queries run on a second build that does not instantiate the five tables
# first, before any other query can load one.
# Run as root on a scratch machine: `python3 record.py` (iptables 1.8.9,
# iproute2 6.1.0, procps sysctl, conntrack-tools 1.4.7). `python3 record.py
# NAME` does the same for NAME.json and NAME.queries.txt into NAME.golden.txt
# only (links.json: addresses, labels, link state, MTU, neighbours; bridge.json:
# `bridge link|fdb`, where a `host: !command` line is traffic, run unrecorded).
import json, os, re, shlex, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = sys.argv[1] if len(sys.argv) > 1 else 'router'
case = json.load(open(os.path.join(HERE, NAME + '.json')))
PREFIX = 'pwro-'
hosts = [h['name'] for h in case['hosts']]
ns = {h: PREFIX + h for h in hosts}

def run(argv, check=True):
    return subprocess.run(argv, capture_output=True, text=True, check=check)

def nsx(h, argv, check=True):
    return run(['ip', 'netns', 'exec', ns[h]] + argv, check)

def legacy(argv):
    tool = {'iptables': 'iptables-legacy', 'iptables-save': 'iptables-legacy-save', 'iptables-restore': 'iptables-legacy-restore'}
    return [tool.get(argv[0], argv[0])] + argv[1:]

def teardown():
    for h in hosts:
        run(['ip', 'netns', 'del', ns[h]], check=False)

def build(instantiate=True):
    teardown()
    for h in hosts:
        run(['ip', 'netns', 'add', ns[h]])
        for k in ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv4.icmp_ratemask=0', 'net.ipv4.igmp_link_local_mcast_reports=0']:
            nsx(h, ['sysctl', '-q', '-w', k])
        run(['ip', '-n', ns[h], 'link', 'set', 'lo', 'up'])
    counter = {h: 0 for h in hosts}
    hidx = {h: i + 1 for i, h in enumerate(hosts)}
    eps = []
    def mac(ep):
        counter[ep[0]] += 1
        eps.append(ep)
        return '02:00:00:00:%02x:%02x' % (hidx[ep[0]], counter[ep[0]])
    for a, b in case.get('links', []):
        a, b = a.split(':'), b.split(':')
        ma, mb = mac(a), mac(b)
        run(['ip', '-n', ns[a[0]], 'link', 'add', a[1], 'address', ma, 'type', 'veth', 'peer', 'name', b[1], 'address', mb, 'netns', ns[b[0]]])
    for h, i in eps:
        run(['ip', '-n', ns[h], 'link', 'set', i, 'up'])
    for h in hosts if instantiate else []:
        for t in ['raw', 'mangle', 'nat', 'filter', 'security']:
            nsx(h, ['iptables-legacy', '-t', t, '-S'])
    for h in case['hosts']:
        for cmd in h['setup']:
            nsx(h['name'], legacy(shlex.split(cmd)))

def record(queries, out):
    with open(os.path.join(HERE, out), 'w') as f:
        for host, cmd in queries:
            if cmd.startswith('!'):
                nsx(host, shlex.split(cmd[1:]), check=False)
                continue
            r = nsx(host, legacy(shlex.split(cmd)), check=False)
            f.write('### %s: %s\n%s%s' % (host, cmd, r.stdout, r.stderr))

# pkts/bytes chosen to cross iptables' K/M/G/T steps (xtables_print_num: a unit while the number is > 99999)
COUNTS = [(0, 0), (7, 420), (99999, 100000), (100000, 6400000), (123456789, 98765432101), (5000000000, 7300000000000), (42, 99999)]

def set_counters():
    text = nsx('router', ['iptables-legacy-save', '-c']).stdout
    k = [0]
    def sub(m):
        p, b = COUNTS[k[0] % len(COUNTS)]
        k[0] += 1
        return '[%d:%d]' % (p, b)
    text = re.sub(r'\[\d+:\d+\]', sub, text)
    subprocess.run(['ip', 'netns', 'exec', ns['router'], 'iptables-legacy-restore', '-c'], input=text, text=True, check=True)

def main():
    queries = []
    for line in open(os.path.join(HERE, 'queries.txt' if NAME == 'router' else NAME + '.queries.txt')):
        if line.startswith('#') or not line.strip():
            continue
        host, cmd = line.rstrip('\n').split(': ', 1)
        queries.append((host, cmd))
    is_save = lambda c: c.startswith('iptables-save')
    if NAME != 'router':
        try:
            build()
            record(queries, NAME + '.golden.txt')
        finally:
            teardown()
        return
    try:
        build(instantiate=False)
        record([(h, c) for h, c in queries if is_save(c)], 'router.save.golden.txt')
        build()
        record([(h, c) for h, c in queries if not is_save(c)], 'router.golden.txt')
        set_counters()
        record([(h, c) for h, c in queries if h == 'router' and ' -v' in c], 'router.counters.golden.txt')
        record([('router', 'iptables-save -c')], 'router.counters.save.golden.txt')
    finally:
        teardown()

main()
