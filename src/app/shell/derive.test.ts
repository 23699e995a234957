// What the panels print for a walk: the engine's port-forward walk is read
// back, never recomputed.

import { describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog, type FateReason, type WalkLog } from '../../engine/walk-log';
import builtIn from '../../scenarios/port-forward.json';
import { eventRow, fateGood, fateMarker, fateText, fieldText, indexLog, indexLogInSlices, isConntrackNat, latestNote, packetChain, rowsIn, thinTicks } from './derive';
import { tFor } from '../i18n/lang';
import { loadLang } from '../i18n/i18n';
import { filterRows } from '../panels/EventList';

function walk(steps: unknown[]): WalkLog {
  const parsed = readCase({ ...builtIn, steps });
  const r = runScenario(parsed.value!);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return walkLog(r.world);
}

const log = walk([{ from: 'client', tcp: '203.0.113.1:8080' }]);
const find = (pred: (s: WalkLog['steps'][number]) => boolean) => log.steps.findIndex(pred);

describe('event rows', () => {
  it('word a rule step as table:chain, rule number and text, and its target', () => {
    const i = find((s) => s.kind === 'rule' && s.table === 'nat' && s.hook === 'PREROUTING' && s.host === 'router');
    expect(eventRow(log.steps[i]!)).toMatchObject({
      host: 'router',
      hook: 'PREROUTING',
      tableChain: 'nat:PREROUTING',
      rule: 'rule 1: -A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.1.100:80',
      verdict: 'DNAT',
    });
  });

  it('word notes in the words of what happened: NAT rewrite, routing, TTL', () => {
    const nat = find((s) => s.kind === 'note' && s.note.kind === 'nat' && s.host === 'router');
    expect(eventRow(log.steps[nat]!).what).toBe('NAT: dst 203.0.113.1 → 192.168.1.100, dport 8080 → 80');
    const route = find((s) => s.kind === 'note' && s.note.kind === 'route' && s.host === 'router');
    expect(eventRow(log.steps[route]!)).toMatchObject({ hook: 'routing', what: 'routing (input): forward dev eth1, table main' });
    const ttl = find((s) => s.kind === 'note' && s.note.kind === 'ttl');
    expect(eventRow(log.steps[ttl]!).what).toBe('forwarding: TTL 64 → 63');
  });

  it('filter by host, hook and verdict, keeping step order', () => {
    const rows = filterRows(log, { host: 'router', hook: 'FORWARD', verdict: null });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.host === 'router' && r.hook === 'FORWARD')).toBe(true);
    expect(rows.map((r) => r.i)).toEqual([...rows.map((r) => r.i)].sort((a, b) => a - b));
    expect(filterRows(log, { host: 'router', hook: 'FORWARD', verdict: null })).toBe(rows);
    expect(filterRows(log, { host: null, hook: null, verdict: 'DNAT' }).map((r) => r.tableChain)).toEqual(['nat:PREROUTING']);
  });
});

describe('per-log index', () => {
  const ix = indexLog(log);

  it('ticks the scrubber where a packet enters a new hook', () => {
    const first = ix.hookEntries.map((i) => log.steps[i]!).slice(0, 3);
    expect(first.map((s) => (s.kind === 'rule' ? `${s.host} ${s.hook}` : ''))).toEqual(['client OUTPUT', 'client POSTROUTING', 'router PREROUTING']);
  });

  it('maps every step to the latest TRACE line, which is the step’s own for a rule', () => {
    for (let i = 0; i < log.steps.length; i++) {
      const s = log.steps[i]!;
      if (s.kind === 'rule') expect(log.traceLog[ix.traceAt[i]!]!.line).toBe(s.trace);
    }
    expect(ix.traceAt[0]).toBe(-1);
  });

  it('is computed once per log', () => {
    expect(indexLog(log)).toBe(ix);
  });
});

describe('latest notes and chains of the packet', () => {
  it('finds the packet’s routing decision, not an earlier packet’s', () => {
    const ingress = find((s) => s.kind === 'ingress' && s.host === 'router');
    expect(latestNote(log, ingress, 'route')).toBeNull();
    const fwd = find((s) => s.kind === 'rule' && s.host === 'router' && s.table === 'filter' && s.chain === 'FORWARD');
    expect(latestNote(log, fwd, 'route')).toMatchObject({ stage: 'input', decision: 'forward', dev: 'eth1', table: 'main', rulePriority: 32766 });
  });

  it('keeps listing the last chain between two chains', () => {
    const route = find((s) => s.kind === 'note' && s.note.kind === 'route' && s.host === 'router');
    expect(packetChain(log, route, 'router')).toBe('nat PREROUTING');
    expect(packetChain(log, route, 'web')).toBeNull();
  });
});

describe('header fields', () => {
  it('prints tos and mark in hex as the kernel does, and no flags as none', () => {
    expect(fieldText('mark', 16)).toBe('0x10');
    expect(fieldText('tos', undefined)).toBe('0x0');
    expect(fieldText('flags', '')).toBe('none');
    expect(fieldText('sport', undefined)).toBe('—');
  });
});

describe('long logs', () => {
  it('are indexed a slice at a time into the same index, rows in the reader\'s language included', async () => {
    const long = walk(Array.from({ length: 300 }, () => ({ from: 'client', tcp: '203.0.113.1:8080' })));
    const whole = walk(Array.from({ length: 300 }, () => ({ from: 'client', tcp: '203.0.113.1:8080' })));
    expect(long.steps.length).toBeGreaterThan(10_000);
    await loadLang('zh');
    let pauses = 0;
    await indexLogInSlices(long, tFor('zh'), async () => {
      pauses++;
    });
    expect(pauses).toBeGreaterThan(1);
    const sliced = indexLog(long);
    const direct = indexLog(whole);
    expect(sliced.rows).toEqual(direct.rows);
    expect(sliced.hookEntries).toEqual(direct.hookEntries);
    expect([...sliced.traceAt]).toEqual([...direct.traceAt]);
    expect(sliced.verdicts).toEqual(direct.verdicts);
    expect(rowsIn(long, tFor('zh'))).toEqual(rowsIn(whole, tFor('zh')));
    // two 300-step walks through the engine: seconds on a loaded machine (a budget for the test, not a speed claim)
  }, 60_000);

  it('keep at most one scrubber tick per 1/max of the track, the first of each', () => {
    expect(thinTicks([0, 5, 9], 10, 600)).toEqual([0, 5, 9]);
    const many = Array.from({ length: 20_000 }, (_, k) => k * 4);
    const thin = thinTicks(many, 80_000, 600);
    expect(thin.length).toBeLessThanOrEqual(600);
    expect(thin[0]).toBe(0);
    // spread over the whole track, none dropped where the gap is wide
    expect(thin[thin.length - 1]).toBeGreaterThan(79_000);
    expect(thinTicks([0, 1, 2, 50_000], 100_000, 2)).toEqual([0, 50_000]);
  });
});

describe('fates', () => {
  async function galleryWalk(name: string): Promise<WalkLog> {
    const c = (await import(`../../gallery/scenarios/${name}.json`)) as { default: unknown };
    const parsed = readCase(c.default);
    const r = runScenario(parsed.value!);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return walkLog(r.world);
  }

  it('word a drop in the routing decision with its reason, in both languages (g14: rp_filter, g15: ip_forward=0)', async () => {
    await loadLang('zh');
    const g14 = await galleryWalk('g14-rp-filter');
    const end14 = g14.steps.find((s) => s.kind === 'end' && s.reason.startsWith('route.'));
    expect(end14).toMatchObject({ node: 'routing-input', reason: 'route.reverse_path_filter' });
    expect(fateMarker((end14 as { reason: FateReason }).reason)).toBe('✕ routing: reverse path filter');
    expect(fateMarker((end14 as { reason: FateReason }).reason, tFor('zh'))).toBe('✕ 路由：反向路径过滤（rp_filter）');
    const g15 = await galleryWalk('g15-forwarding-disabled');
    const end15 = g15.steps.find((s) => s.kind === 'end' && s.reason.startsWith('route.'));
    expect(end15).toMatchObject({ node: 'routing-input', reason: 'route.forwarding_disabled' });
    expect(fateText('route.forwarding_disabled')).toBe('routing: forwarding disabled');
  });

  it('mark delivery and the wire as good ends, every drop as bad', () => {
    const ends = log.steps.filter((s) => s.kind === 'end');
    expect(ends.map((s) => (s.kind === 'end' ? fateMarker(s.reason) : ''))).toContain('✓ sent on the wire');
    expect(ends.map((s) => (s.kind === 'end' ? fateMarker(s.reason) : ''))).toContain('✓ delivered to a socket');
    expect(fateGood('policy-drop')).toBe(false);
    expect(fateMarker('policy-drop')).toBe('✕ dropped by the policy');
    expect(fateText('dropped.neigh-unresolved')).toBe('no ARP answer');
    expect(fateText('ipvs.no_route')).toBe('IPVS: no route');
  });

  it('tell a NAT that conntrack applied (existing binding) from one the nat table set up', () => {
    const nats = log.steps.filter((s) => s.kind === 'note' && s.note.kind === 'nat');
    expect(nats.some((s) => isConntrackNat(s))).toBe(true);
    const first = nats.find((s) => s.kind === 'note' && s.note.kind === 'nat' && s.note.binding === 'new');
    expect(first).toBeDefined();
    expect(isConntrackNat(first)).toBe(false);
  });
});
