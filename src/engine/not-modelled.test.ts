// pattern: Imperative Shell
// "Not modelled" findings: what a scenario uses that the engine accepts but
// does not simulate like the kernel is named, with where it is; what the
// engine does simulate faithfully (every kernel-recorded oracle case but the
// NFQUEUE one) yields nothing.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCase } from './scenario/case-file';
import { runScenario } from './run-case';
import { formatNotModelled, notModelled } from './not-modelled';
import { walkLog } from './walk-log';
import type { Scenario, SetupCommand } from './scenario/types';

function scenario(setup: SetupCommand[], extra: Record<string, unknown> = {}): Scenario {
  const c = readCase({ name: 't', hosts: [{ name: 'h', setup: ['ip addr add 10.0.0.1/24 dev eth0', ...setup] }, { name: 'peer', setup: ['ip addr add 10.0.0.2/24 dev eth0'] }], links: [['h:eth0', 'peer:eth0']], ...extra });
  if (!c.value) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  return c.value;
}

/** The subjects labelled in a scenario whose setup must load without an error. */
function subjects(setup: SetupCommand[]): string[] {
  const s = scenario(setup);
  const r = runScenario(s);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return notModelled(s).map((f) => f.subject);
}

describe('iptables rules', () => {
  it.each([
    ['iptables -A INPUT -m set --match-set blocked src -j DROP', '-m set'],
    ['iptables -A INPUT -m helper --helper sip -j ACCEPT', '-m helper'],
    ['iptables -A OUTPUT -m cgroup --cgroup 1 -j ACCEPT', '-m cgroup'],
    ['iptables -A INPUT -m nfacct --nfacct-name web', '-m nfacct'],
    ['iptables -A INPUT -m time --timestart 08:00 --timestop 18:00 -j ACCEPT', '-m time'],
    ['iptables -A INPUT -m time --weekdays Sat,Sun -j ACCEPT', '-m time'],
    ['iptables -A INPUT -m time --monthdays 1,15 -j ACCEPT', '-m time'],
    ['iptables -A INPUT -m time --datestart 2026-06-01 -j ACCEPT', '-m time'],
    ['iptables -A INPUT -m recent --update --seconds 60 --rttl --name x -j DROP', '-m recent'],
    ['iptables -A INPUT -m statistic --mode random --probability 0.25 -j DROP', '-m statistic'],
    ['iptables -A INPUT -p sctp -m sctp --chunk-types any INIT -j ACCEPT', '-m sctp'],
    ['iptables -A INPUT -p dccp -m dccp --dccp-types REQUEST -j ACCEPT', '-m dccp'],
    ['iptables -A INPUT -j SET --add-set seen src', '-j SET'],
    ['iptables -A INPUT -p tcp -j SYNPROXY --mss 1460', '-j SYNPROXY'],
    ['iptables -t raw -A PREROUTING -p udp -j CT --helper sip', '-j CT'],
    ['iptables -t raw -A PREROUTING -j CT --zone 5', '-j CT'],
    ['iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE --random-fully', '-j MASQUERADE'],
    ['iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 10.0.0.1 --random', '-j SNAT'],
  ])('%s is labelled %s', (cmd, subject) => {
    expect(subjects([cmd])).toEqual([subject]);
  });

  it.each([
    'iptables -A INPUT -m statistic --mode random --probability 0 -j DROP',
    'iptables -A INPUT -m statistic --mode random --probability 1 -j DROP',
    'iptables -A INPUT -m statistic --mode nth --every 3 --packet 0 -j DROP',
    'iptables -A INPUT -m recent --update --seconds 60 --name x -j DROP',
    'iptables -A FORWARD -m policy --dir in --pol none -j ACCEPT',
    // no scenario can configure IPsec (ip xfrm): no packet has a security path, as on the kernel
    'iptables -A FORWARD -m policy --dir in --pol ipsec -j ACCEPT',
    // a scenario has no program that reads a netfilter queue: drop, or go on with --queue-bypass (case p91)
    'iptables -A INPUT -j NFQUEUE --queue-num 1',
    'iptables -A INPUT -j NFQUEUE --queue-balance 0:3 --queue-bypass',
    'iptables -A INPUT -j QUEUE',
    // every packet is processed on CPU 0, as in the oracle's pinned runs (case q82)
    'iptables -A INPUT -m cpu --cpu 1 -j ACCEPT',
    // the clock is past Linux 6.18's release and before 2038: these never change their answer
    'iptables -A INPUT -m time --datestart 2000-01-01 -j ACCEPT',
    'iptables -A INPUT -m time --datestop 2001-01-01 -j ACCEPT',
    'iptables -A INPUT -m time --weekdays Mon,Tue,Wed,Thu,Fri,Sat,Sun -j ACCEPT',
    'iptables -A INPUT -m time --timestart 00:00 --timestop 23:59:59 -j ACCEPT',
    'iptables -A INPUT -m time --timestart 12:00 --timestop 11:59:59 -j ACCEPT',
    'iptables -t mangle -A PREROUTING -m rpfilter --invert -j DROP',
    'iptables -t raw -A PREROUTING -m rpfilter --loose --validmark --accept-local -j ACCEPT',
    'iptables -A INPUT -m realm --realm 3 -j ACCEPT',
    'iptables -A INPUT -m devgroup --src-group 2 -j ACCEPT',
    'iptables -A INPUT -m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xdeadbeef -j ACCEPT',
    'iptables -A INPUT -m connlabel --label 1 -j ACCEPT',
    'iptables -A FORWARD -m connlabel --label 1 --set',
    'iptables -t mangle -A PREROUTING -j TEE --gateway 10.0.0.2',
    'iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 3129 --tproxy-mark 1',
    'iptables -t mangle -A PREROUTING -j HMARK --hmark-tuple ct --hmark-mod 4 --hmark-rnd 1',
    'iptables -t mangle -A PREROUTING -p tcp -j ECN --ecn-tcp-remove',
    'iptables -t mangle -A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options timestamp',
    'iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp',
    'iptables -t raw -A PREROUTING -p udp --dport 69 -j CT --helper tftp',
    'iptables -A FORWARD -m helper --helper ftp -j ACCEPT',
    'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE',
    'iptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m limit --limit 3/min -j LOG',
    'iptables -A INPUT -j NFLOG --nflog-group 2',
  ])('%s is simulated as the kernel does it: no label', (cmd) => {
    expect(subjects([cmd])).toEqual([]);
  });

  it('names the host, the setup command, the table and the rule as iptables-save prints it', () => {
    const [f] = notModelled(scenario(['iptables -A INPUT -m set --match-set blocked src -j DROP']));
    expect(f).toMatchObject({ host: 'h', command: 1, line: null, table: 'filter', chain: 'INPUT', rule: '-A INPUT -m set --match-set blocked src -j DROP' });
    expect(f!.message).toBe('not modelled: -m set: ipset contents are not modelled (no set has members), so for --match-set blocked the match never holds');
    expect(formatNotModelled(f!)).toBe(`${f!.message} (host h, setup[1], filter -A INPUT -m set --match-set blocked src -j DROP)`);
  });

  it('finds rules inside an iptables-restore text, with their line', () => {
    const fs = notModelled(scenario([{ 'iptables-restore': '*raw\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m helper --helper sip -j ACCEPT\nCOMMIT\n' }]));
    expect(fs).toMatchObject([{ command: 1, line: 7, table: 'filter', chain: 'INPUT', subject: '-m helper', rule: '-A INPUT -m helper --helper sip -j ACCEPT' }]);
    expect(fs[0]!.detail).toContain('only the ftp and tftp conntrack helpers are modelled');
  });
});

describe('the realistic dumps (iptables/__fixtures__/dumps)', () => {
  const dump = (name: string) => readFileSync(new URL(`./iptables/__fixtures__/dumps/${name}.rules`, import.meta.url), 'utf8');
  it('labels what the IPS gateway relies on beyond what a scenario can hold: accounting objects, a random sample, office hours', () => {
    expect([...new Set(subjects([{ 'iptables-restore': dump('ips-gateway') }]))].sort()).toEqual(['-m nfacct', '-m statistic', '-m time']);
  });
  it('labels kube-proxy\'s random endpoint choice and --random-fully, once per rule', () => {
    expect(subjects([{ 'iptables-restore': dump('kube-proxy-node') }])).toEqual(['-j MASQUERADE', '-m statistic', '-m statistic', '-m statistic']);
  });
  it('labels nothing in the ufw and Docker hosts', () => {
    expect(subjects([{ 'iptables-restore': dump('ufw-desktop') }, { 'iptables-restore': dump('docker-host') }])).toEqual([]);
  });
});

describe('sysctls, routes and the run', () => {
  it('labels a sysctl the engine never reads when it is set away from its default', () => {
    expect(subjects(['sysctl -w net.ipv4.tcp_ecn=1'])).toEqual(['sysctl net.ipv4.tcp_ecn=1']);
    expect(subjects(['sysctl -w net.ipv4.conf.eth0.log_martians=1'])).toEqual(['sysctl net.ipv4.conf.eth0.log_martians=1']);
    expect(subjects(['sysctl -w net.ipv4.tcp_ecn=2', 'sysctl -w net.ipv4.conf.all.log_martians=0'])).toEqual([]);
  });

  it('does not label the sysctls the engine reads', () => {
    expect(subjects(['sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv4.conf.all.rp_filter=2', 'sysctl -w net.netfilter.nf_conntrack_tcp_loose=0', 'sysctl -w net.ipv4.conf.eth0.arp_ignore=1', 'sysctl -w net.ipv4.ip_default_ttl=128'])).toEqual([]);
    // ICMP errors for packets with an input route take the inbound device's address (case q88)
    expect(subjects(['sysctl -w net.ipv4.icmp_errors_use_inbound_ifaddr=1'])).toEqual([]);
  });

  it('labels a TEE copy of a received packet, whose POSTROUTING lines print uninitialised MAC bytes on the kernel', () => {
    const teeOn = (chain: string) =>
      scenario([], {
        hosts: [
          { name: 'h', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
          { name: 'r', setup: ['ip addr add 10.0.0.2/24 dev eth0', 'ip addr add 10.0.9.1/24 dev eth1', `iptables -t mangle -A ${chain} -p icmp -j TEE --gateway 10.0.9.2`] },
          { name: 'ids', setup: ['ip addr add 10.0.9.2/24 dev eth0'] },
        ],
        links: [
          ['h:eth0', 'r:eth0'],
          ['r:eth1', 'ids:eth0'],
        ],
        steps: [{ from: 'h', ping: '10.0.0.2' }],
      });
    const run = (s: Scenario) => {
      const r = runScenario(s);
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return notModelled(s, r.world);
    };
    // the echo request came in on eth0 (copied in PREROUTING), the echo reply was made here (copied in OUTPUT)
    const received = run(teeOn('PREROUTING'));
    expect(received.map((f) => f.subject)).toEqual(['TEE copy of a received packet']);
    expect(received[0]).toMatchObject({ host: 'r', command: null });
    expect(received[0]!.detail).toContain('IN=eth1 with MAC= bytes of uninitialised memory');
    expect(run(teeOn('OUTPUT'))).toEqual([]);
  });

  it('labels multipath hash policies other than 0, and multipath routes hashed with the random default seed', () => {
    expect(subjects(['sysctl -w net.ipv4.fib_multipath_hash_policy=1'])).toEqual(['sysctl net.ipv4.fib_multipath_hash_policy=1']);
    const route = 'ip route add 192.0.2.0/24 nexthop via 10.0.0.2 nexthop via 10.0.0.3';
    expect(subjects([route])).toEqual(['multipath route with net.ipv4.fib_multipath_hash_seed=0']);
    expect(subjects(['sysctl -w net.ipv4.fib_multipath_hash_seed=4242', route])).toEqual([]);
  });

  it('does not label route MTUs (path MTU, DF and MSS follow them: fixture p89)', () => {
    expect(subjects(['ip route add 192.0.2.0/24 via 10.0.0.2 mtu 1400', 'ip route add 198.51.100.0/24 via 10.0.0.2 mtu lock 1400'])).toEqual([]);
  });

  it('labels the socket sysctls only where the engine does not follow them', () => {
    expect(subjects(['sysctl -w net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0 net.ipv4.tcp_window_scaling=0 net.ipv4.tcp_app_win=0 net.ipv4.ip_no_pmtu_disc=1'])).toEqual([]);
    expect(subjects(['sysctl -w net.ipv4.ip_no_pmtu_disc=2'])).toEqual(['sysctl net.ipv4.ip_no_pmtu_disc=2']);
  });

  it('labels a packet that left a link whose MTU it exceeds, unfragmented', () => {
    // a raw socket refuses a datagram larger than its device (EMSGSIZE); a router forwards one without DF
    const s = scenario([], {
      hosts: [
        { name: 'h', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'ip route add default via 10.0.0.2'] },
        { name: 'router', setup: ['ip addr add 10.0.0.2/24 dev eth0', 'ip addr add 10.0.1.1/24 dev eth1', 'ip link set dev eth1 mtu 1280', 'sysctl -w net.ipv4.ip_forward=1'] },
        { name: 'far', setup: ['ip addr add 10.0.1.2/24 dev eth0', 'ip link set dev eth0 mtu 1280'] },
      ],
      links: [
        ['h:eth0', 'router:eth0'],
        ['router:eth1', 'far:eth0'],
      ],
      steps: [{ from: 'h', packet: { proto: 'udp', dst: '10.0.1.2', dport: 9, df: false, data: 'x'.repeat(1400) } }],
    });
    const r = runScenario(s);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const fs = notModelled(s, r.world);
    expect(fs.map((f) => f.subject)).toEqual(['IP fragmentation']);
    expect(fs[0]).toMatchObject({ host: 'router', command: null });
    expect(fs[0]!.detail).toContain('left through eth1 (MTU 1280) in one piece');
    // the walk log carries the findings for the app
    expect(walkLog(r.world).notModelled).toEqual(fs);
  });

  it('labels a NAT port the kernel would pick at random, not one it keeps (difftest seed 2 case 147)', () => {
    const run = (toPorts: string) => {
      const s = scenario([`iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports ${toPorts}`], {
        steps: [{ from: 'h', udp: '10.0.0.2:53', data: 'q' }],
      });
      const r = runScenario(s);
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return notModelled(s, r.world);
    };
    // the datagram's source port (40001) is outside 20004-20016: searched from get_random_u16()
    const fs = run('20004-20016');
    expect(fs.map((f) => [f.host, f.subject])).toEqual([['h', 'NAT port choice']]);
    expect(fs[0]!.detail).toContain('at random from 20004-20016');
    // inside the range and free: kept, nothing to label
    expect(run('40000-40010')).toEqual([]);
  });
});

describe('the kernel-recorded oracle cases', () => {
  const dir = new URL('./__fixtures__/oracle/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'));
  it('need no label', () => {
    const labelled: string[] = [];
    for (const f of files) {
      const c = readCase(JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
      if (c.value && notModelled(c.value).length) labelled.push(f);
    }
    expect(files.length).toBeGreaterThan(90);
    expect(labelled).toEqual([]);
  });
});
