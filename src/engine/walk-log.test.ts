// The app's walk log for the built-in scenario: one step per TRACE event plus
// the walk between them, conntrack as each packet found and left it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from './run-case';
import { walkLog } from './walk-log';

const scenario = JSON.parse(readFileSync(join(__dirname, '..', 'scenarios', 'port-forward.json'), 'utf8'));

describe('the walk log of the port-forwarding scenario', () => {
  const r = runCase(scenario);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const log = walkLog(r.world);

  it('has one rule step per TRACE line, in the same order', () => {
    const rules = log.steps.filter((s) => s.kind === 'rule');
    expect(rules.map((s) => (s.kind === 'rule' ? s.trace : ''))).toEqual(log.traceLog.map((t) => t.line));
  });

  it('shows the DNAT, then the routing decision sending the packet to FORWARD', () => {
    const syn = log.packets.find((p) => p.host === 'router')!;
    const steps = log.steps.slice(syn.firstStep, syn.lastStep + 1);
    const kinds = steps.map((s) => (s.kind === 'note' ? `note:${s.note.kind}` : s.kind === 'rule' ? `${s.table} ${s.chain}` : s.kind));
    expect(kinds.indexOf('nat PREROUTING')).toBeLessThan(kinds.indexOf('note:route'));
    expect(kinds.indexOf('note:route')).toBeLessThan(kinds.indexOf('mangle FORWARD'));
    const nat = steps.find((s) => s.kind === 'note' && s.note.kind === 'nat');
    expect(nat).toMatchObject({ note: { hook: 'PREROUTING', fields: { dst: ['203.0.113.1', '192.168.1.100'], dport: [8080, 80] } } });
    expect(steps.at(-1)).toMatchObject({ kind: 'end', disposition: { verdict: 'sent', iface: 'eth1' } });
  });

  it('shows each field change on the step that made it: the DNAT on the NAT step, TTL − 1 on the forward step (ip_forward → ip_decrease_ttl)', () => {
    const syn = log.packets.find((p) => p.host === 'router')!;
    const steps = log.steps.slice(syn.firstStep, syn.lastStep + 1);
    const changes = steps.filter((s) => Object.keys(s.changed).length > 0).map((s) => [s.kind === 'note' ? s.note.kind : s.kind, s.changed]);
    expect(changes).toEqual([
      ['nat', { dst: ['203.0.113.1', '192.168.1.100'], dport: [8080, 80] }],
      ['ttl', { ttl: [64, 63] }],
    ]);
  });

  it('records the conntrack table as the SYN found it and as it left it', () => {
    const syn = log.packets.find((p) => p.host === 'router')!;
    expect(syn.conntrackBefore).toEqual([]);
    expect(syn.conntrackAfter).toMatchObject([{ entry: { proto: 'tcp', state: 'SYN_SENT', flags: ['UNREPLIED'] } }]);
    // the conntrack note names the entry the packet belongs to
    const note = log.steps.slice(syn.firstStep, syn.lastStep + 1).find((s) => s.kind === 'note' && s.note.kind === 'conntrack');
    expect(note && note.kind === 'note' && note.note.kind === 'conntrack' ? note.note.entryId : null).toBe(syn.conntrackAfter![0]!.id);
    // once the handshake is through the connection is established and assured, as conntrack -L prints it
    const rows = log.packets.filter((p) => p.host === 'router').flatMap((p) => p.conntrackAfter ?? []);
    expect(rows.find((r) => r.entry.state === 'ESTABLISHED')!.line).toMatch(/^tcp {6}6 \d+ ESTABLISHED src=\S+ dst=203\.0\.113\.1 sport=\d+ dport=8080 src=192\.168\.1\.100 dst=\S+ sport=80 dport=\d+ \[ASSURED\] mark=0$/);
    // hosts without conntrack rules have no table at all
    expect(log.packets.find((p) => p.host === 'client')!.conntrackBefore).toBeNull();
  });
});

describe('the boxes an IPVS walk lights', () => {
  const nat = JSON.parse(readFileSync(join(__dirname, '..', 'scenarios', 'ipvs', 'nat.json'), 'utf8'));
  const r = runCase(nat);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const log = walkLog(r.world);

  it('lights IPVS LOCAL_IN for a request’s transmit (TTL − 1, the rewrite, the route to the server), never forward or reroute', () => {
    const request = log.packets.find((p) => p.host === 'director' && log.steps.slice(p.firstStep, p.lastStep + 1).some((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit'))!;
    const steps = log.steps.slice(request.firstStep, request.lastStep + 1);
    const k = steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'ipvs');
    const parts = steps.slice(k + 1).filter((s) => s.kind === 'note' && s.note.at === (steps[k] as { note: { at: number } }).note.at);
    expect(parts.map((s) => (s.kind === 'note' ? s.note.kind : ''))).toEqual(expect.arrayContaining(['nat', 'route']));
    expect(parts.every((s) => s.node === 'ipvs-in')).toBe(true);
    expect(steps.map((s) => s.node)).not.toContain('forward-decision');
    expect(steps.map((s) => s.node)).not.toContain('reroute');
  });

  it('lights IPVS FORWARD for a NAT reply’s rewrite', () => {
    const reply = log.steps.find((s) => s.host === 'director' && s.kind === 'note' && s.note.kind === 'nat' && s.note.hook === 'FORWARD')!;
    expect(reply.node).toBe('ipvs-out');
  });

  it('leaves the notes of hosts without IPVS where they were', () => {
    const forward = JSON.parse(readFileSync(join(__dirname, '..', 'scenarios', 'port-forward.json'), 'utf8'));
    const pf = runCase(forward);
    if (!pf.ok) throw new Error(pf.errors.join('\n'));
    const nodes = walkLog(pf.world).steps.map((s) => s.node);
    expect(nodes).toContain('forward-decision');
    expect(nodes.some((n) => n.startsWith('ipvs'))).toBe(false);
  });
});
