// The kube-proxy comparison's walks, from the engine: in iptables mode the
// node's packet walks nat KUBE-SERVICES → KUBE-SVC → KUBE-SEP (DNAT) and is
// forwarded; in IPVS mode it is delivered locally to the ClusterIP on
// kube-ipvs0, passes INPUT and IPVS LOCAL_IN, and never FORWARD.

import { describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog } from '../../engine/walk-log';
import { grouped, kubeCase, logHeight, logTop, nodeWalk } from './kube-view';
import { translate } from '../i18n/i18n';
import type { IpvsT } from './t';

const t: IpvsT = (k, p) => translate('en', k, p);

function walkOf(mode: 'iptables' | 'ipvs') {
  const r = runScenario(readCase(kubeCase(mode)).value!);
  if (!r.ok) throw new Error(r.errors.join());
  const w = nodeWalk(walkLog(r.world), t);
  if (!w) throw new Error('no node walk');
  return w;
}

describe('the node’s walk of one new connection', () => {
  const ipt = walkOf('iptables');
  const vs = walkOf('ipvs');
  const text = (w: typeof ipt) => w.rows.map((r) => `${r.where} ${r.what}`).join('\n');

  it('in iptables mode runs the Service’s nat chains, DNATs and is forwarded', () => {
    const s = text(ipt);
    expect(s).toMatch(/nat PREROUTING PREROUTING rule 1 → KUBE-SERVICES/);
    expect(s).toMatch(/nat PREROUTING KUBE-SERVICES rule \d+ → KUBE-SVC-/);
    expect(s).toMatch(/nat PREROUTING KUBE-SVC-\S+ rule \d+ → KUBE-SEP-/);
    expect(s).toMatch(/KUBE-SEP-\S+ rule \d+ → DNAT/);
    expect(ipt.rows.some((r) => r.hook === 'FORWARD')).toBe(true);
    expect(s).not.toMatch(/IPVS/);
  });

  it('in IPVS mode passes INPUT and IPVS LOCAL_IN, then OUTPUT, and never FORWARD', () => {
    const where = vs.rows.map((r) => r.where);
    expect(where).toContain('filter INPUT');
    expect(where).toContain('IPVS LOCAL_IN');
    expect(where).toContain('raw OUTPUT');
    expect(vs.rows.some((r) => r.hook === 'FORWARD')).toBe(false);
    expect(where.indexOf('IPVS LOCAL_IN')).toBeGreaterThan(where.indexOf('security INPUT'));
    expect(text(vs)).toMatch(/scheduled → 10\.244\.0\.\d+:8080 \(masq\)/);
  });
});

describe('the chart’s log scale', () => {
  it('tops out at the next power of ten', () => {
    expect(logTop([3, 12])).toBe(100);
    expect(logTop([30007, 8])).toBe(100000);
    expect(logTop([])).toBe(10);
  });
  it('puts 1 on the axis and the top at full height', () => {
    expect(logHeight(1, 1000)).toBe(0);
    expect(logHeight(1000, 1000)).toBe(1);
    expect(logHeight(10, 100)).toBeCloseTo(0.5);
  });
  it('groups thousands', () => {
    expect(grouped(10000)).toBe('10,000');
  });
});
