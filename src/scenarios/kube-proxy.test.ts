// kube-proxy's two modes for the same Service, walked by the engine.

import { describe, expect, it } from 'vitest';
import { runCase } from '../engine/run-case';
import { kubeProxyCase } from './kube-proxy';
import { measureScaling } from './kube-proxy-scaling';

type Step = { result: { connect: string; reply?: string }; listener_events: { event: string; host: string; peer: string }[] };
type Pkt = { host: string; events: { table: string; chain: string }[] };

describe('kube-proxy, iptables mode and IPVS mode side by side', () => {
  for (const mode of ['iptables', 'ipvs'] as const) {
    it(`${mode} mode reaches the Service's endpoints, masqueraded as the node`, () => {
      const r = runCase(kubeProxyCase(mode, 1));
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const steps = (r.result as { steps: Step[] }).steps;
      expect(steps.map((s) => s.result.connect)).toEqual(['established', 'established', 'established']);
      expect(steps.every((s) => s.result.reply === 'GET /')).toBe(true);
      const accepts = steps.map((s) => s.listener_events.find((e) => e.event === 'accept')!);
      expect(new Set(accepts.map((a) => a.host)).size).toBe(3);
      expect(accepts.every((a) => a.peer.startsWith('10.244.0.1:'))).toBe(true);
    });
  }

  it('iptables mode DNATs in nat PREROUTING and forwards; IPVS mode delivers locally and IPVS sends on from LOCAL_IN', () => {
    const chains = (mode: 'iptables' | 'ipvs') => {
      const r = runCase(kubeProxyCase(mode, 1));
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const syn = (r.result as { packets: Pkt[] }).packets.find((p) => p.host === 'node')!;
      return syn.events.map((e) => `${e.table}:${e.chain}`);
    };
    const ipt = chains('iptables');
    expect(ipt).toContain('mangle:FORWARD');
    expect(ipt.some((c) => c.startsWith('nat:KUBE-SEP-'))).toBe(true);
    const ipvs = chains('ipvs');
    expect(ipvs).not.toContain('mangle:FORWARD');
    expect(ipvs).toEqual(expect.arrayContaining(['filter:INPUT', 'security:INPUT', 'filter:OUTPUT', 'nat:KUBE-POSTROUTING']));
  });

  it('examines rules linearly in the number of Services in iptables mode, and a constant number in IPVS mode', () => {
    const [a, b, c] = measureScaling([1, 10, 100]);
    expect(b!.iptables - a!.iptables).toBe(9);
    expect(c!.iptables - a!.iptables).toBe(99);
    expect(new Set([a!.ipvs, b!.ipvs, c!.ipvs]).size).toBe(1);
  });
});
