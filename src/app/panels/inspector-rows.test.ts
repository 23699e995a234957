// The step inspector lists the packet layer by layer, each changed field
// before → after, at the step where the kernel changes it; these walks are
// the engine's own, inspected as the worker would.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, type LabWalk } from '../../engine/lab/lab';
import { inspectStep, type StepInspection } from '../../engine/lab/inspect';
import { BUILT_IN } from '../../scenarios/built-in';
import { tFor } from '../i18n/t';
import { zhInspector } from '../i18n/inspector.zh';
import { inspectorLayers, reasonText, valueText } from './inspector-rows';

const src = join(__dirname, '..', '..');

function walkOf(c: unknown): LabWalk {
  const o = Lab.open(c as never);
  if (!o.ok) throw new Error(o.errors.join('; '));
  return o.lab.walk();
}
const fileWalk = (path: string) => walkOf(JSON.parse(readFileSync(join(src, path), 'utf8')));

function inspections(walk: LabWalk): StepInspection[] {
  return walk.log.steps.map((_, i) => inspectStep(walk, i)!);
}

const row = (ins: StepInspection, path: string) => inspectorLayers(ins).flatMap((l) => l.rows).find((r) => r.path === path);

describe('inspector layers', () => {
  it('show the TTL going 64 → 63 at the forward step and nowhere before it', () => {
    const walk = walkOf(BUILT_IN);
    const all = inspections(walk);
    const fwd = all.find((x) => x.reason === 'ttl.ip-forward')!;
    expect(walk.log.steps[fwd.step]!.node).toBe('forward-decision');
    expect(row(fwd, 'ip.ttl')).toMatchObject({ before: 64, after: 63, changed: true });
    const earlier = all.filter((x) => x.packet === fwd.packet && x.host === fwd.host && x.step < fwd.step);
    expect(earlier.length).toBeGreaterThan(0);
    for (const x of earlier) expect(row(x, 'ip.ttl')?.changed).toBe(false);
  });

  it('group IPVS DR transmit into an Ethernet change with the IP header untouched', () => {
    const all = inspections(fileWalk('scenarios/ipvs/dr.json'));
    const dr = all.find((x) => x.reason === 'xmit.ipvs-dr-mac-only')!;
    const layers = inspectorLayers(dr);
    const changed = layers.flatMap((l) => l.rows.filter((r) => r.changed).map((r) => `${l.id}:${r.field}`));
    expect(changed).toContain('ethernet:dst');
    expect(changed.filter((c) => !c.startsWith('ethernet:'))).toEqual([]);
  });

  it('show IPVS TUN as an outer IP header around the inner packet and its transport header', () => {
    const all = inspections(fileWalk('scenarios/ipvs/tun.json'));
    const tun = all.find((x) => x.after.inner !== null)!;
    const ids = inspectorLayers(tun).map((l) => l.id);
    expect(ids).toContain('outer');
    expect(ids).toContain('inner');
    expect(ids).not.toContain('ip');
    const innerL4 = inspectorLayers(tun).find((l) => l.id === 'innerL4')!;
    expect(innerL4.proto).toBe('tcp');
    expect(row(tun, 'ip.proto')!.after).toBe(4);
  });

  it('show a VXLAN packet outside in: outer IP, its UDP, the VXLAN header, then the inner datagram', () => {
    const all = inspections(fileWalk('engine/__fixtures__/oracle/vxlan-p2p-ping.json'));
    const outer = all.find((x) => x.after.tunnel?.kind === 'vxlan' && x.after.inner !== null)!;
    const layers = inspectorLayers(outer);
    expect(layers.map((l) => l.id)).toEqual(['outer', 'l4', 'tunnel', 'inner', 'innerL4', 'marks']);
    expect(layers.find((l) => l.id === 'tunnel')!.proto).toBe('vxlan');
    expect(layers.find((l) => l.id === 'outer')!.proto).toBe('vxlan');
    expect(row(outer, 'tunnel.vni')!.after).toBe(42);
  });

  it('list an ICMP error’s quoted header as layers of its own', () => {
    const all = inspections(fileWalk('engine/__fixtures__/oracle/44-icmp-related.json'));
    const err = all.find((x) => x.after.l4?.proto === 'icmp' && x.after.l4.quoted !== null);
    expect(err).toBeDefined();
    const ids = inspectorLayers(err!).map((l) => l.id);
    expect(ids).toContain('quoted');
    expect(ids.indexOf('quoted')).toBeGreaterThan(ids.indexOf('l4'));
  });

  it('always list the skb mark, in hex as iptables prints it', () => {
    const walk = walkOf(BUILT_IN);
    const first = inspectStep(walk, 0)!;
    expect(row(first, 'mark')).toMatchObject({ before: 0, after: 0, changed: false });
    expect(valueText('mark', 255)).toBe('0xff');
    expect(valueText('dst', '10.0.0.1')).toBe('10.0.0.1');
  });

  it('word the kernel’s reason in both languages, a target by its name', () => {
    const en = tFor('en');
    expect(reasonText(en, 'ttl.ip-forward', true)).toContain('ip_forward decrements TTL');
    // the Chinese dictionary loads with the language; its sentence is the one reasonText looks up
    expect(zhInspector['inspect.reason.ttl.ip-forward']).toContain('转发时 ip_forward 将 TTL 减 1');
    expect(reasonText(en, 'xmit.ipvs-dr-mac-only', true)).toContain('IPVS DR rewrites the destination MAC only');
    expect(reasonText(en, 'target.MARK', true)).toContain('MARK');
    expect(reasonText(en, null, false)).toBe(en('inspect.reason.none'));
  });
});
