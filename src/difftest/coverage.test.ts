// What the coverage report counts in a case, and how divergences are grouped.

import { describe, expect, it } from 'vitest';
import { caseFeatures, featureUniverse, sysctlFeature, words } from './coverage';
import { divergenceClass, foldPath } from './divergence';

describe('caseFeatures', () => {
  it('reads matches, targets, chains, routes, rules, sysctls and steps from the case text', () => {
    const f = caseFeatures({
      name: 'x',
      hosts: [
        {
          name: 'gw',
          setup: [
            'ip route add unreachable 10.9.0.0/16',
            'ip rule add fwmark 0x1 pref 100 lookup 7',
            'sysctl -w net.ipv4.conf.eth1.rp_filter=1',
            'iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2',
            { 'iptables-restore': '*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n', noflush: true },
          ],
        },
      ],
      steps: [{ from: 'gw', tcp: '10.0.0.2:80', close: 'fin' }, { from: 'gw', packet: { proto: 'tcp', dst: '10.0.0.2', flags: 'SA' } }],
    });
    for (const x of [
      'route-type:unreachable', 'rule-selector:fwmark', 'rule-selector:pref', 'rule-action:lookup', 'sysctl:conf.*.rp_filter=1',
      'chain:nat PREROUTING', 'proto:tcp', 'match:tcp', 'target:DNAT', 'match:conntrack', 'ctstate:RELATED', 'policy:DROP',
      'setup:iptables-restore --noflush', 'step:tcp', 'step:tcp close fin', 'step:packet tcp flags SA', 'step:several steps',
    ]) expect(f, x).toContain(x);
  });

  it('lists every registered match and target in the universe', () => {
    const u = featureUniverse();
    expect(u).toContain('match:conntrack');
    expect(u).toContain('target:MASQUERADE');
    expect(u).toContain('rule-selector:uidrange');
  });
});

describe('words and sysctlFeature', () => {
  it('groups quoted words as the harness does', () => {
    expect(words('iptables -A INPUT -m comment --comment "web ports" -j ACCEPT')).toEqual(['iptables', '-A', 'INPUT', '-m', 'comment', '--comment', 'web ports', '-j', 'ACCEPT']);
  });
  it('folds interface names and keeps all/default', () => {
    expect(sysctlFeature('sysctl -w net.ipv4.conf.eth0.send_redirects=0')).toBe('sysctl:conf.*.send_redirects=0');
    expect(sysctlFeature('sysctl -w net.ipv4.conf.all.send_redirects=0')).toBe('sysctl:conf.all.send_redirects=0');
    expect(sysctlFeature('sysctl -w net.netfilter.nf_conntrack_tcp_loose=0')).toBe('sysctl:nf_conntrack_tcp_loose=0');
  });
});

describe('divergenceClass', () => {
  it('folds hosts and positions and keeps small enum values', () => {
    expect(foldPath('.packets_by_host.router[3].events[2].rulenum')).toBe('.packets_by_host.*[].events[].rulenum');
    expect(divergenceClass([".packets_by_host.r1[0].disposition.verdict: kernel 'reject' != simulator 'drop'"])).toBe(".packets_by_host.*[].disposition.verdict: kernel 'reject' ≠ engine 'drop'");
    expect(divergenceClass(['.packets_by_host.r1: kernel has 4 items, simulator 3'])).toBe('.packets_by_host.*: item count');
    expect(divergenceClass([])).toBe('identical');
  });
});
