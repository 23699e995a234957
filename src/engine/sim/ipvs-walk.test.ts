// IPVS in the packet walk (shared/ipvs/SPEC.md §2-4), pinned per forwarding
// method: which chains a packet to the VIP traverses before and after IPVS
// takes it at LOCAL_IN, and how the reply returns.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { walkLog } from '../walk-log';

type Pkt = { host: string; origin: string; headers: { src: string; dst: string; flags?: string; proto: string | number }; events: { table: string; chain: string }[]; disposition: { verdict: string; iface?: string } };

function run(name: string) {
  const json = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'ipvs', `${name}.json`), 'utf8'));
  const r = runCase(json);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { result: r.result as { packets: Pkt[]; steps: { result: Record<string, unknown>; listener_events: { host: string; event: string }[] }[] }, log: walkLog(r.world) };
}

const chains = (p: Pkt) => p.events.map((e) => `${e.table}:${e.chain}`);
const first = (ps: Pkt[], host: string, flags: string) => ps.find((p) => p.host === host && p.headers.flags === flags)!;

const TO_VIP_ON_DIRECTOR = ['raw:PREROUTING', 'mangle:PREROUTING', 'mangle:INPUT', 'filter:INPUT', 'security:INPUT', 'raw:OUTPUT', 'mangle:OUTPUT', 'filter:OUTPUT', 'security:OUTPUT', 'mangle:POSTROUTING'];

describe('IPVS NAT', () => {
  const { result, log } = run('nat');
  it('schedules round robin over the reversed server list and completes both connections', () => {
    expect(result.steps.map((s) => s.result.connect)).toEqual(['established', 'established']);
    expect(result.steps.map((s) => s.listener_events.find((e) => e.event === 'accept')?.host)).toEqual(['rs2', 'rs1']);
  });
  it('takes the SYN at LOCAL_IN after security INPUT and sends it out through OUTPUT and POSTROUTING, never FORWARD', () => {
    const syn = first(result.packets, 'director', 'SYN');
    expect(chains(syn)).toEqual(TO_VIP_ON_DIRECTOR);
    expect(syn.disposition).toMatchObject({ verdict: 'sent', iface: 'eth1' });
    const rs = first(result.packets, 'rs2', 'SYN');
    expect(rs.headers).toMatchObject({ src: '10.0.0.2', dst: '192.168.1.12' });
    const note = log.steps.find((s) => s.kind === 'note' && s.note.kind === 'ipvs');
    expect(note).toMatchObject({ host: 'director', node: 'ipvs-in', note: { action: 'xmit', method: 'masq', scheduled: true, server: '192.168.1.12:80', service: 'TCP 10.0.0.100:80 rr' } });
  });
  it('returns the reply through the director FORWARD hook with the VIP as source', () => {
    const reply = first(result.packets, 'director', 'SYN,ACK');
    expect(chains(reply)).toEqual(['raw:PREROUTING', 'mangle:PREROUTING', 'mangle:FORWARD', 'filter:FORWARD', 'security:FORWARD', 'mangle:POSTROUTING']);
    expect(first(result.packets, 'client', 'SYN,ACK').headers).toMatchObject({ src: '10.0.0.100', dst: '10.0.0.2' });
  });
});

describe('IPVS direct routing', () => {
  const { result } = run('dr');
  it('visits every server once in list order on wrr\'s first round', () => {
    expect(result.steps.map((s) => s.listener_events.find((e) => e.event === 'accept')?.host)).toEqual(['rs2', 'rs1']);
  });
  it('keeps the VIP as destination, sends the frame to the real server, and the reply goes straight to the client', () => {
    const syn = first(result.packets, 'director', 'SYN');
    expect(chains(syn)).toEqual(TO_VIP_ON_DIRECTOR);
    expect(first(result.packets, 'rs2', 'SYN').headers).toMatchObject({ dst: '10.0.0.100' });
    expect(result.packets.some((p) => p.host === 'director' && p.headers.flags === 'SYN,ACK')).toBe(false);
    expect(first(result.packets, 'client', 'SYN,ACK').headers).toMatchObject({ src: '10.0.0.100' });
  });
});

describe('IPVS tunnelling', () => {
  const { result } = run('tun');
  it('wraps the packet in IP-in-IP to the real server, which unwraps it on tunl0 and answers directly', () => {
    expect(result.steps[0]!.result.connect).toBe('established');
    const outer = result.packets.find((p) => p.host === 'rs1' && p.headers.proto === 4)!;
    expect(outer.headers).toMatchObject({ src: '10.0.0.1', dst: '172.16.0.11' });
    const inner = first(result.packets, 'rs1', 'SYN') as Pkt & { in: string };
    expect(inner.in).toBe('tunl0');
    expect(inner.headers).toMatchObject({ src: '10.0.0.2', dst: '10.0.0.100' });
    expect(result.packets.some((p) => p.host === 'director' && p.headers.flags === 'SYN,ACK')).toBe(false);
  });
});
