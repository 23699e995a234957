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

  it('records the conntrack table as the SYN found it and as it left it', () => {
    const syn = log.packets.find((p) => p.host === 'router')!;
    expect(syn.conntrackBefore).toEqual([]);
    expect(syn.conntrackAfter).toMatchObject([{ proto: 'tcp', state: 'SYN_SENT', flags: ['UNREPLIED'] }]);
    // hosts without conntrack rules have no table at all
    expect(log.packets.find((p) => p.host === 'client')!.conntrackBefore).toBeNull();
  });
});
