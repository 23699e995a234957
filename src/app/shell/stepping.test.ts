// Stepping by event, chain, hook, host and packet over the engine's
// port-forward walk: each press lands on the first step of the next group,
// collapsing skips empty-chain runs and the transmit before a send, and the
// scrubber's bands follow the hosts the walk visits.

import { describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog, type WalkLog } from '../../engine/walk-log';
import builtIn from '../../scenarios/port-forward.json';
import { collapsedSteps, hostBands, nextStop, packetStarts, prevStop, stepHook, stops } from './stepping';

function walk(steps: unknown[]): WalkLog {
  const parsed = readCase({ ...builtIn, steps });
  const r = runScenario(parsed.value!);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return walkLog(r.world);
}

const log = walk([{ from: 'client', tcp: '203.0.113.1:8080' }]);
const n = log.steps.length;

/** Every index a reader visits pressing → from the first step. */
function pressForward(at: Int32Array): number[] {
  const seen = [0];
  for (let i = 0; i < n - 1; ) {
    i = nextStop(at, i, n);
    seen.push(i);
  }
  return seen;
}

describe('stepping by granularity', () => {
  it('by event visits every step', () => {
    expect(pressForward(stops(log, { granularity: 'event', collapse: false }))).toEqual(log.steps.map((s) => s.i));
  });

  it('by packet lands on each packet’s first step, then the walk’s last step', () => {
    const seen = pressForward(stops(log, { granularity: 'packet', collapse: false }));
    expect(seen).toEqual([...new Set([...log.packets.map((p) => p.firstStep), n - 1])].sort((a, b) => a - b));
  });

  it('by host lands where the walk moves to another host', () => {
    const seen = pressForward(stops(log, { granularity: 'host', collapse: false }));
    for (const i of seen.slice(1, -1)) expect(log.steps[i]!.host).not.toBe(log.steps[i - 1]!.host);
    // client → router → web → router → client → … : every host change is a stop
    const changes = log.steps.filter((s, i) => i > 0 && s.host !== log.steps[i - 1]!.host).map((s) => s.i);
    expect(seen.filter((i) => i > 0 && i < n - 1)).toEqual(changes.filter((i) => i < n - 1));
  });

  it('by hook lands on entering a hook, and the conntrack and NAT steps of a hook are in it', () => {
    const at = stops(log, { granularity: 'hook', collapse: false });
    const routerPre = log.steps.filter((s) => s.host === 'router' && stepHook(s) === 'PREROUTING' && s.packet === log.steps.find((x) => x.host === 'router')!.packet);
    expect(routerPre.length).toBeGreaterThan(2);
    // one stop for the router's whole PREROUTING of that packet: raw, conntrack, mangle, nat (DNAT and its NAT note)
    expect(routerPre.filter((s) => at.includes(s.i)).map((s) => s.i)).toEqual([routerPre[0]!.i]);
  });

  it('by chain stops once per chain: a rule step whose chain is the previous step’s is no stop', () => {
    const at = stops(log, { granularity: 'chain', collapse: false });
    for (const i of at) {
      const s = log.steps[i]!;
      const p = log.steps[i - 1];
      if (s.kind === 'rule' && p?.kind === 'rule' && p.packet === s.packet) expect(`${p.table} ${p.chain}`).not.toBe(`${s.table} ${s.chain}`);
    }
    expect(at.length).toBeLessThan(n);
    expect(at.length).toBeGreaterThan(stops(log, { granularity: 'hook', collapse: false }).length);
  });

  it('steps back to the previous stop, and from the first stop to the first step', () => {
    const at = stops(log, { granularity: 'packet', collapse: false });
    const second = at[1]!;
    expect(prevStop(at, second)).toBe(at[0]);
    expect(prevStop(at, second + 1)).toBe(second);
    expect(prevStop(at, 0)).toBe(0);
    expect(nextStop(at, n - 1, n)).toBe(n - 1);
  });
});

describe('collapsing', () => {
  const skip = collapsedSteps(log);

  it('leaves out the transmit note right before an end on the wire', () => {
    const transmit = log.steps.find((s, i) => s.kind === 'note' && s.note.kind === 'transmit' && log.steps[i + 1]?.kind === 'end');
    expect(transmit).toBeDefined();
    expect(skip[transmit!.i]).toBe(1);
    expect(log.steps[transmit!.i + 1]!.node).toBe('iface-out');
  });

  it('keeps the last of a run of empty chains and every chain that has rules', () => {
    const empty = new Set(log.hosts.flatMap((h) => Object.entries(h.tables).flatMap(([t, cs]) => cs.filter((c) => c.ruleCount === 0).map((c) => `${h.name} ${t} ${c.name}`))));
    let runs = 0;
    log.steps.forEach((s, i) => {
      if (s.kind !== 'rule') return;
      const isEmpty = empty.has(`${s.host} ${s.table} ${s.chain}`);
      const next = log.steps[i + 1];
      const nextEmpty = next?.kind === 'rule' && next.packet === s.packet && empty.has(`${next.host} ${next.table} ${next.chain}`);
      if (isEmpty && nextEmpty) runs++;
      expect(skip[i], `${s.host} ${s.table} ${s.chain}`).toBe(isEmpty && nextEmpty ? 1 : 0);
    });
    expect(runs).toBeGreaterThan(0);
    const at = stops(log, { granularity: 'event', collapse: true });
    expect(at.length).toBe(n - skip.reduce((a, b) => a + b, 0));
  });

  it('moves a group’s stop to its first step that is kept', () => {
    const at = stops(log, { granularity: 'hook', collapse: true });
    for (const i of at) expect(skip[i]).toBe(0);
  });
});

describe('scrubber bands', () => {
  it('cover the walk host by host, in order', () => {
    const bands = hostBands(log);
    expect(bands[0]).toMatchObject({ host: 'client', from: 0 });
    expect(bands.at(-1)!.to).toBe(n - 1);
    bands.slice(1).forEach((b, k) => {
      expect(b.from).toBe(bands[k]!.to + 1);
      expect(b.host).not.toBe(bands[k]!.host);
    });
  });

  it('leave out runs too narrow to see on a long walk', () => {
    expect(hostBands(log, 2).length).toBeLessThan(hostBands(log).length);
  });

  it('tick every packet’s start', () => {
    expect(packetStarts(log)).toEqual(log.packets.map((p) => p.firstStep).sort((a, b) => a - b));
    expect(packetStarts(log)[0]).toBe(0);
  });
});
