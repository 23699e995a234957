// A kube-proxy node's whole ruleset of an exact size, shaped like the corpus
// dumps, loaded and walked by the engine.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from '../engine/run-case';
import { kubeProxyDump } from './kube-proxy-dump';

const PROBE = { nodePort: 30080, endpoint: '192.168.1.100:80' };
const appends = (text: string) => text.split('\n').filter((l) => l.startsWith('-A '));

/** The default scenario with the router's rules replaced by the dump, as Import does. */
function routerWith(text: string, dport: number): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(import.meta.dirname, 'port-forward.json'), 'utf8')) as { hosts: { name: string; setup: unknown[] }[] };
  const hosts = base.hosts.map((h) =>
    h.name !== 'router' ? h : { name: 'router', setup: ['ip addr add 203.0.113.1/24 dev eth0', 'ip addr add 192.168.1.1/24 dev eth1', 'sysctl -w net.ipv4.ip_forward=1', { 'iptables-restore': text }] },
  );
  return { ...base, hosts, steps: [{ from: 'client', tcp: `203.0.113.1:${dport}`, data: 'GET /' }] };
}

describe('a kube-proxy node ruleset of a given size', () => {
  it.each([50_000, 1_234, 60])('holds exactly %i rules (-A lines)', (rules) => {
    const d = kubeProxyDump({ rules, probe: PROBE });
    expect(appends(d.text)).toHaveLength(rules);
    expect(d.rules).toBe(rules);
  });

  it('is shaped like the corpus dumps: KUBE-SERVICES → KUBE-SVC-* (statistic) → KUBE-SEP-* DNAT, NodePorts, masquerade, KUBE-FORWARD', () => {
    const d = kubeProxyDump({ rules: 2_000, probe: PROBE });
    const rules = appends(d.text);
    const chain = (prefix: string) => rules.filter((r) => r.startsWith(`-A ${prefix}`));
    expect(chain('KUBE-SERVICES ').some((r) => / -j KUBE-SVC-[A-Z2-7]{16}$/.test(r))).toBe(true);
    expect(chain('KUBE-SVC-').some((r) => r.includes('-m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-'))).toBe(true);
    expect(chain('KUBE-SEP-').some((r) => /-m tcp -j DNAT --to-destination 10\.244\.\d+\.\d+:8080$/.test(r))).toBe(true);
    expect(chain('KUBE-NODEPORTS ').some((r) => / --dport 30080 -j KUBE-EXT-/.test(r))).toBe(true);
    expect(rules).toContain('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
    expect(rules).toContain('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT');
    expect(chain('KUBE-SERVICES ').some((r) => r.includes('has no endpoints') && r.endsWith('-j REJECT --reject-with icmp-port-unreachable'))).toBe(true);
    // every chain jumped to is declared in its table, and the tables are those of a kube-proxy node
    const tables = d.text.split('\n').filter((l) => l.startsWith('*'));
    expect(tables).toEqual(['*mangle', '*filter', '*nat']);
    expect(chain('KUBE-SERVICES ').at(-1)).toMatch(/--dst-type LOCAL -j KUBE-NODEPORTS$/);
  });

  it('loads in the engine, and a connection to the probed NodePort walks all of KUBE-SERVICES, then is DNATed to its endpoint and masqueraded', () => {
    const d = kubeProxyDump({ rules: 3_000, probe: PROBE });
    const r = runCase(routerWith(d.text, PROBE.nodePort));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const result = r.result as { steps: { result: { connect: string }; listener_events: { event: string; host: string; peer: string }[] }[]; packets: { host: string; events: { table: string; chain: string; rulenum: number; target: string }[] }[] };
    expect(result.steps[0]!.result.connect).toBe('established');
    expect(result.steps[0]!.listener_events.find((e) => e.event === 'accept')).toMatchObject({ host: 'web', peer: expect.stringMatching(/^192\.168\.1\.1:/) });
    const syn = result.packets.find((p) => p.host === 'router')!;
    // the rule that matched in nat KUBE-SERVICES is its last: every ClusterIP rule before it was examined
    const natServices = appends(d.text.slice(d.text.indexOf('*nat'))).filter((l) => l.startsWith('-A KUBE-SERVICES '));
    expect(natServices.length).toBeGreaterThan(100);
    expect(syn.events.find((e) => e.table === 'nat' && e.chain === 'KUBE-SERVICES')).toMatchObject({ rulenum: natServices.length, target: 'KUBE-NODEPORTS' });
    const chains = [...new Set(syn.events.map((e) => `${e.table} ${e.chain.replace(/-[A-Z2-7]{16}$/, '-*')}`))];
    expect(chains).toEqual(expect.arrayContaining(['nat KUBE-NODEPORTS', 'nat KUBE-EXT-*', 'nat KUBE-MARK-MASQ', 'nat KUBE-SVC-*', 'nat KUBE-SEP-*', 'filter KUBE-FORWARD', 'nat KUBE-POSTROUTING']));
  });

  it('refuses a size too small for the fixed rules', () => {
    expect(() => kubeProxyDump({ rules: 10, probe: PROBE })).toThrow(/at least/);
  });
});
