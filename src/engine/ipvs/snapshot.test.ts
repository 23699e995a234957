// The IPVS panel's rows come from the state, not from ipvsadm's text: the
// service and server lines are ipvsadm's own (so they read exactly as
// `ipvsadm -Ln` prints them), the connections are `-Lnc`'s columns, and each
// scheduler's state names its servers by address in the kernel's list order
// (SPEC.md §8: the list is last-added first).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import { applyIpvsadm, parseIpvsadm } from './ipvsadm';
import { formatConnections, formatList } from './ipvsadm-print';
import { schedule } from './schedulers';
import { createIpvsState } from './state';
import type { IpvsState } from './types';
import { ipvsServiceName, ipvsSnapshot } from './snapshot';
import { runCase } from '../run-case';
import { walkLog } from '../walk-log';

function setup(...lines: string[]): IpvsState {
  const st = createIpvsState();
  for (const l of lines) {
    const p = parseIpvsadm(l);
    if (!p.value) throw new Error(`${l}: ${p.diagnostics[0]?.message}`);
    const r = applyIpvsadm(st, p.value, 0);
    if (r.status !== 0) throw new Error(`${l}: ${r.stderr}`);
  }
  return st;
}

const RR = ['-A -t 10.0.0.100:80 -s rr', ...[11, 12, 13].map((n) => `-a -t 10.0.0.100:80 -r 192.168.1.${n}:80 -m`)];
const pick = (st: IpvsState, sport: number) => schedule(st, st.services[0]!, { protocol: 6, saddr: parseIpv4('10.0.0.2')!, sport, daddr: parseIpv4('10.0.0.100')!, dport: 80, now: 0 });

describe('the ipvsadm -Ln rows', () => {
  it('are the lines ipvsadm prints, service by service and server by server', () => {
    const st = setup(...RR, '-A -f 7 -s sh -b sh-port -p 600', '-a -f 7 -r 192.168.1.11:0 -g -w 3');
    const snap = ipvsSnapshot(st, 0);
    const printed = formatList(st, { numeric: true })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.trimEnd());
    expect([...snap.header, ...snap.services.flatMap((s) => [s.line, ...s.servers.map((d) => d.line)])]).toEqual(printed);
    expect(snap.header[0]).toBe('IP Virtual Server version 1.2.1 (size=4096)');
  });

  it('name each service as the walk’s IPVS notes do, and each server with its columns', () => {
    const snap = ipvsSnapshot(setup(...RR, '-e -t 10.0.0.100:80 -r 192.168.1.12:80 -m -w 4'), 0);
    expect(snap.services.map((s) => s.name)).toEqual(['TCP 10.0.0.100:80 rr']);
    expect(snap.services[0]!.servers.map((d) => [d.server, d.forward, d.weight, d.active, d.inactive])).toEqual([
      ['192.168.1.11:80', 'Masq', 1, 0, 0],
      ['192.168.1.12:80', 'Masq', 4, 0, 0],
      ['192.168.1.13:80', 'Masq', 1, 0, 0],
    ]);
    expect(ipvsServiceName(setup('-A -f 1 -s wrr').services[0]!)).toBe('FWM 1 wrr');
  });
});

describe('the ipvsadm -Lnc rows', () => {
  it('are its columns, with the time left as mm:ss', () => {
    const c = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'ipvs', 'nat.json'), 'utf8')) as unknown;
    const r = runCase(c);
    if (!r.ok) throw new Error(r.errors.join());
    const director = r.world.hosts.get('director')!;
    const snap = ipvsSnapshot(director.ipvs, r.world.nowMs);
    expect(snap.connections).toHaveLength(2);
    expect(snap.connections[0]).toMatchObject({ pro: 'TCP', virtual: '10.0.0.100:80', destination: expect.stringMatching(/^192\.168\.1\.1[12]:80$/) });
    expect(snap.connections[0]!.expire).toMatch(/^\d\d:\d\d$/);
    const printed = formatConnections(director.ipvs, r.world.nowMs, { numeric: true }).split('\n').slice(2, 4);
    expect(printed.map((l) => l.split(/\s+/))).toEqual(snap.connections.map((x) => [x.pro, x.expire, x.state, x.source, x.virtual, x.destination]));
  });
});

describe('the scheduler’s state', () => {
  it('names rr’s servers by address in kernel order, with its pointer', () => {
    const st = setup(...RR);
    expect(ipvsSnapshot(st, 0).schedulers[0]).toMatchObject({ service: 'TCP 10.0.0.100:80 rr', scheduler: 'rr', rrAtHead: true, wrr: null, buckets: null });
    pick(st, 1);
    pick(st, 2);
    const s = ipvsSnapshot(st, 0).schedulers[0]!;
    expect(s.rows.map((r) => [r.position, r.server])).toEqual([
      [1, '192.168.1.13:80'],
      [2, '192.168.1.12:80'],
      [3, '192.168.1.11:80'],
    ]);
    expect(s.rrAtHead).toBe(false);
    expect(s.rows.find((r) => r.pointer)?.server).toBe('192.168.1.12:80');
  });

  it('shows wrr’s current weight and position, and the buckets of sh', () => {
    const wrr = setup(...RR, '-E -t 10.0.0.100:80 -s wrr');
    pick(wrr, 1);
    expect(ipvsSnapshot(wrr, 0).schedulers[0]!.wrr).toEqual({ cw: 1, mw: 1, di: 1, server: '192.168.1.13:80' });
    const sh = ipvsSnapshot(setup(...RR, '-E -t 10.0.0.100:80 -s sh'), 0).schedulers[0]!;
    expect(sh.buckets).toHaveLength(256);
    expect(sh.rows.reduce((n, r) => n + r.slots!, 0)).toBe(256);
    expect(new Set(sh.buckets)).toEqual(new Set([0, 1, 2]));
  });

  it('gives mh its table size and each server’s seeds, not the 4093 slots', () => {
    const mh = ipvsSnapshot(setup(...RR, '-E -t 10.0.0.100:80 -s mh'), 0).schedulers[0]!;
    expect(mh.mh!.size).toBe(4093);
    expect(mh.mh!.setup.map((x) => x.server)).toEqual(['192.168.1.13:80', '192.168.1.12:80', '192.168.1.11:80']);
    expect(mh.rows.reduce((n, r) => n + r.slots!, 0)).toBe(4093);
  });
});

describe('a walk’s IPVS snapshots', () => {
  it('name the service and server of every IPVS note as the rows do', () => {
    const c = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'ipvs', 'nat.json'), 'utf8')) as unknown;
    const r = runCase(c);
    if (!r.ok) throw new Error(r.errors.join());
    const log = walkLog(r.world);
    const notes = log.steps.flatMap((s) => (s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit' ? [s] : []));
    // every packet of the two connections is sent on; two of them were scheduled
    expect(notes.filter((s) => s.note.kind === 'ipvs' && s.note.scheduled)).toHaveLength(2);
    for (const s of notes) {
      const after = log.packets.find((p) => p.id === s.packet)!.ipvsAfter!;
      const svc = after.services.find((x) => s.note.kind === 'ipvs' && x.name === s.note.service)!;
      expect(svc.servers.map((d) => d.server)).toContain(s.note.kind === 'ipvs' ? s.note.server : null);
    }
    // plain data: the worker posts it
    expect(structuredClone(log.hosts.find((h) => h.name === 'director')!.ipvs)).toEqual(log.hosts.find((h) => h.name === 'director')!.ipvs);
  });
});
