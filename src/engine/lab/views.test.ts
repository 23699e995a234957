// What the page's forms read from a lab instead of parsing exports back: a
// chain list in iptables-save's order, each rule with the words that put it
// back in place.

import { describe, expect, it } from 'vitest';
import { Lab } from './lab';
import { chainPage, hostConfigView } from './views';

const router = {
  name: 'a router',
  hosts: [
    { name: 'client', setup: ['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', 'ip route add default via 10.0.1.1'] },
    { name: 'server', setup: ['ip addr add 10.0.2.2/24 dev eth0', 'ip link set eth0 up'] },
    {
      name: 'router',
      setup: [
        'ip addr add 10.0.1.1/24 dev eth0',
        'ip link set eth0 up',
        'ip addr add 10.0.2.1/24 dev eth1',
        'ip link set eth1 up',
        'sysctl -w net.ipv4.ip_forward=1',
        { 'iptables-restore': '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p tcp --dport 22 -j DROP\n-A FORWARD -p tcp --dport 80 -j ACCEPT\nCOMMIT\n' },
      ],
    },
  ],
  links: [
    ['client:eth0', 'router:eth0'],
    ['router:eth1', 'server:eth0'],
  ],
  steps: [{ from: 'client', ping: '10.0.1.1' }],
};

function openLab(json: unknown = router): Lab {
  const o = Lab.open(json);
  if (!o.ok) throw new Error(o.errors.join('; '));
  return o.lab;
}

describe('the chains of a host', () => {
  it('lists built-in chains first, then user chains by name, as iptables-save does', () => {
    const lab = openLab();
    for (const c of ['iptables -N ZED', 'iptables -N ALPHA', 'iptables -A FORWARD -j ZED']) expect(lab.edit('router', c).ok).toBe(true);
    const v = hostConfigView('router', lab.config('router')!);
    expect(v.chains.filter!.map((c) => [c.name, c.policy, c.rules])).toEqual([
      ['INPUT', 'ACCEPT', 0],
      ['FORWARD', 'DROP', 3],
      ['OUTPUT', 'ACCEPT', 0],
      ['ALPHA', null, 0],
      ['ZED', null, 0],
    ]);
    // a table no command loaded is not listed: the page shows its built-in chains empty
    expect(v.chains.nat).toBeUndefined();
  });

  it('gives each rule the words after -A CHAIN, which put it back with iptables -I', () => {
    const lab = openLab();
    const page = chainPage(lab.config('router')!, 'filter', 'FORWARD', 0, 10, null)!;
    expect(page.rules.map((r) => [r.text, r.spec])).toEqual([
      ['-A FORWARD -p tcp -m tcp --dport 22 -j DROP', '-p tcp -m tcp --dport 22 -j DROP'],
      ['-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT', '-p tcp -m tcp --dport 80 -j ACCEPT'],
    ]);
    // moving rule 2 to the top by its spec gives the same rule back, first
    expect(lab.editAll('router', ['iptables -D FORWARD 2', `iptables -I FORWARD 1 ${page.rules[1]!.spec}`], 'command').ok).toBe(true);
    expect(chainPage(lab.config('router')!, 'filter', 'FORWARD', 0, 10, null)!.rules.map((r) => r.text)).toEqual([page.rules[1]!.text, page.rules[0]!.text]);
  });
});

describe('routes, ip rules and sysctls of a host', () => {
  it('lists routes as `ip route show table all` does, with who installed each', () => {
    const lab = openLab({ ...router, rt_tables: { isp2: 100 } });
    expect(lab.edit('router', 'ip route add blackhole 10.50.1.0/24 metric 2 table 100').ok).toBe(true);
    const v = hostConfigView('router', lab.config('router')!);
    const shown = lab.exportText('router', 'ip-route-all');
    expect(shown.ok).toBe(true);
    // the same lines in the same order, without the trailing space iproute2 prints
    expect(v.routes.map((r) => r.text)).toEqual(shown.ok ? shown.text.split('\n').filter((l) => l !== '').map((l) => l.trimEnd()) : []);
    expect(v.routes[0]).toMatchObject({ type: 'blackhole', table: 100, tableName: 'isp2', proto: 'boot', text: 'blackhole 10.50.1.0/24 table isp2 metric 2' });
    expect(v.routes.find((r) => r.dst === '10.0.2.0/24')).toMatchObject({ proto: 'kernel' });
  });

  it('gives each ip rule its selector, which `ip rule del priority N` takes back', () => {
    const lab = openLab();
    expect(lab.edit('router', 'ip rule add priority 100 from 10.0.0.0/8 fwmark 0x1/0xff lookup 100').ok).toBe(true);
    const v = hostConfigView('router', lab.config('router')!);
    const shown = lab.exportText('router', 'ip-rule');
    expect(v.fibRules.map((r) => r.text)).toEqual(shown.ok ? shown.text.split('\n').filter((l) => l !== '') : []);
    const mine = v.fibRules.find((r) => r.priority === 100)!;
    expect(mine.selector).toBe('from 10.0.0.0/8 fwmark 0x1/0xff lookup 100');
    expect(lab.edit('router', `ip rule del priority ${mine.priority} ${mine.selector}`).ok).toBe(true);
    expect(hostConfigView('router', lab.config('router')!).fibRules.map((r) => r.priority)).toEqual([0, 32766, 32767]);
  });

  it('lists the sysctls the setup would write: ip_forward, not the per-interface switches it sets', () => {
    const lab = openLab();
    expect(lab.edit('router', 'sysctl -w net.ipv4.conf.eth0.rp_filter=2').ok).toBe(true);
    const v = hostConfigView('router', lab.config('router')!);
    expect(v.sysctls).toEqual([
      { key: 'net.ipv4.ip_forward', value: '1', defaultValue: '0' },
      { key: 'net.ipv4.conf.eth0.rp_filter', value: '2', defaultValue: '0' },
    ]);
  });
});

describe('the IPVS services of a host', () => {
  const director = {
    name: 'ipvs',
    hosts: [
      {
        name: 'director',
        setup: [
          'ipvsadm -A -t 10.0.0.100:80 -s sh -b sh-port -p 600 -M 255.255.255.0',
          'ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.11:80 -m -w 2 -x 50 -y 10',
          'ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.12:80 -m',
          'ipvsadm -A -f 7 -s rr',
          'sysctl -w net.ipv4.vs.conntrack=1',
        ],
      },
    ],
    steps: [],
  };

  it('gives each service its scheduler flags, persistence and servers in the kernel’s list order', () => {
    const v = hostConfigView('director', openLab(director).config('director')!);
    expect(v.ipvs).toHaveLength(2);
    const [web, mark] = v.ipvs;
    expect(web).toMatchObject({ name: 'TCP 10.0.0.100:80', protocol: 'tcp', addr: '10.0.0.100', port: 80, fwmark: null, scheduler: 'sh', schedFlags: ['sh-port'], persistent: 600, netmask: '255.255.255.0' });
    // ipvsadm -a inserts at the head of the list
    expect(web!.servers.map((s) => [s.addr, s.port, s.method, s.weight, s.uThreshold, s.lThreshold])).toEqual([
      ['192.168.1.12', 80, 'masq', 1, 0, 0],
      ['192.168.1.11', 80, 'masq', 2, 50, 10],
    ]);
    expect(new Set(web!.servers.map((s) => s.id)).size).toBe(2);
    expect(mark).toMatchObject({ name: 'FWM 7', fwmark: 7, addr: null, schedFlags: [], persistent: null, netmask: null, servers: [] });
  });

  it('lists the net.ipv4.vs sysctls that differ from their defaults', () => {
    const v = hostConfigView('director', openLab(director).config('director')!);
    expect(v.ipvsSysctls).toEqual([{ key: 'net.ipv4.vs.conntrack', value: '1', defaultValue: '0' }]);
  });
});
