// What the IPVS panel shows, read from real walks: the snapshot before and
// after a packet's IPVS note, and the order rr and wrr pick servers in
// (SPEC.md §6 and §8: the kernel list is last-added first). The snapshots'
// rows themselves are the engine's (engine/ipvs/snapshot.test.ts).

import { describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog, type WalkLog } from '../../engine/walk-log';
import { applyEdit } from '../../engine/edit/scenario-edit';
import { ipvsAt, ipvsHosts, type IpvsNote } from './ipvs-view';
import { labCase } from './lab-case';
import type { Case } from '../../engine/scenario/case';

function run(c: Case): WalkLog {
  const parsed = readCase(c);
  if (!parsed.value) throw new Error(parsed.diagnostics.map((d) => d.message).join());
  const r = runScenario(parsed.value);
  if (!r.ok) throw new Error(r.errors.join());
  return walkLog(r.world);
}

function edit(c: Case, cmds: string[]): Case {
  let s = c;
  for (const cmd of cmds) {
    const r = applyEdit(s, 'director', cmd, 'command');
    if (!r.ok) throw new Error(`${cmd}: ${r.diagnostics.map((d) => d.message).join()}`);
    s = { ...r.scenario, steps: c.steps };
  }
  return s;
}

const xmits = (log: WalkLog) =>
  log.steps.filter((s): s is typeof s & { kind: 'note'; note: IpvsNote } => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit' && s.note.scheduled);

const RR = ['ipvsadm -A -t 10.0.0.100:80 -s rr', ...[11, 12, 13].map((n) => `ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.${n}:80 -m`)];

describe('rr and wrr in a walk (what the e2e test checks on screen)', () => {
  it('rr walks the kernel list, which is the reverse of the order servers were added', () => {
    const log = run(edit(labCase(6), RR));
    expect(xmits(log).map((s) => s.note.server)).toEqual(['192.168.1.13:80', '192.168.1.12:80', '192.168.1.11:80', '192.168.1.13:80', '192.168.1.12:80', '192.168.1.11:80']);
  });

  it('wrr first visits each server once in list order, then runs the weighted cycle', () => {
    const c = edit(labCase(9), [...RR, 'ipvsadm -E -t 10.0.0.100:80 -s wrr', 'ipvsadm -e -t 10.0.0.100:80 -r 192.168.1.11:80 -m -w 1', 'ipvsadm -e -t 10.0.0.100:80 -r 192.168.1.12:80 -m -w 2', 'ipvsadm -e -t 10.0.0.100:80 -r 192.168.1.13:80 -m -w 3']);
    const picks = xmits(run(c)).map((s) => s.note.server!.replace('192.168.1.', '.').replace(':80', ''));
    expect(picks).toEqual(['.13', '.12', '.11', '.13', '.13', '.12', '.13', '.12', '.11']);
  });
});

describe('the IPVS snapshot at a step', () => {
  const log = run(edit(labCase(2), RR));
  const first = xmits(log)[0]!;
  const packet = log.packets.find((p) => p.id === first.packet)!;

  it('is only for hosts with virtual services', () => {
    expect(ipvsHosts(log)).toEqual(['director']);
    expect(ipvsAt(log, 0, 'client')).toBeNull();
  });

  it('is the state the packet found until its IPVS note, and the state it left from the note on', () => {
    const before = ipvsAt(log, packet.firstStep, 'director')!;
    expect(before.when).toBe('before');
    expect(before.snapshot.connections).toEqual([]);
    const at = ipvsAt(log, first.i, 'director')!;
    expect(at.when).toBe('after');
    expect(at.note?.server).toBe('192.168.1.13:80');
    const conns = at.snapshot.connections;
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ pro: 'TCP', state: 'SYN_RECV', source: '10.0.0.2:40001', virtual: '10.0.0.100:80', destination: '192.168.1.13:80' });
  });

  it('before the host’s first packet is the state that packet found; between packets, the last one’s', () => {
    expect(ipvsAt(log, 0, 'director')!.when).toBe('start');
    const after = ipvsAt(log, packet.lastStep + 1, 'director')!;
    expect(after.when).toBe('idle');
    expect(after.snapshot).toBe(packet.ipvsAfter);
  });

  it('fills the connection table step by step: two connections by the end', () => {
    expect(ipvsAt(log, log.steps.length - 1, 'director')!.snapshot.connections).toHaveLength(2);
  });
});
