import { describe, expect, it } from 'vitest';
import { createHostNet } from '../../engine/net/config';
import { applyTcCommand, tcQuery } from '../../engine/tc/tc';
import { fieldOf } from './builders';
import { emptyQdiscForm, qdiscCommand, qdiscCommandSpans, type QdiscForm } from './qdisc-builders';

const tbf: QdiscForm = { ...emptyQdiscForm(), dev: 'eth0', rate: '4kbit', burst: '1200', limit: '2100' };

/** The field each error the engine reports on the form's command sits on (null: on no field). */
function errorFields(f: QdiscForm, setup: string[] = []): (string | null)[] {
  const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
  for (const s of setup) expect(applyTcCommand(net, s)).toEqual([]);
  const { command, spans } = qdiscCommandSpans(f);
  const errors = applyTcCommand(net, command).filter((d) => d.severity === 'error');
  expect(errors.length).toBeGreaterThan(0);
  return errors.map((d) => fieldOf(spans, d));
}

describe('the qdisc form builds tc qdisc commands', () => {
  it('a tbf root qdisc with a byte limit, as the tc-01 lesson writes it', () => {
    expect(qdiscCommand({ ...tbf, handle: '1:' })).toBe('tc qdisc add dev eth0 root handle 1: tbf rate 4kbit burst 1200 limit 2100');
  });

  it('a tbf bounded by latency writes latency instead of limit', () => {
    expect(qdiscCommand({ ...tbf, op: 'replace', bound: 'latency', latency: '50ms' })).toBe('tc qdisc replace dev eth0 root tbf rate 4kbit burst 1200 latency 50ms');
  });

  it('pfifo takes a packet limit, htb a default class; options left empty are not written', () => {
    expect(qdiscCommand({ ...emptyQdiscForm(), dev: 'eth0', kind: 'pfifo', limit: '10' })).toBe('tc qdisc add dev eth0 root pfifo limit 10');
    expect(qdiscCommand({ ...emptyQdiscForm(), dev: 'eth0', kind: 'htb', handle: '1:', defaultClass: '20' })).toBe('tc qdisc add dev eth0 root handle 1: htb default 20');
    expect(qdiscCommand({ ...emptyQdiscForm(), dev: 'eth0', kind: 'htb' })).toBe('tc qdisc add dev eth0 root htb');
  });

  it('ingress has no kind of its own, and del names only the device and the place', () => {
    expect(qdiscCommand({ ...tbf, parent: 'ingress' })).toBe('tc qdisc add dev eth0 ingress');
    expect(qdiscCommand({ ...tbf, op: 'del', handle: '1:' })).toBe('tc qdisc del dev eth0 root');
    expect(qdiscCommand({ ...tbf, op: 'del', parent: 'ingress' })).toBe('tc qdisc del dev eth0 ingress');
  });

  it('what it builds is what the engine takes, and tc qdisc show prints it', () => {
    const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
    expect(applyTcCommand(net, qdiscCommand({ ...tbf, handle: '1:' }))).toEqual([]);
    expect(applyTcCommand(net, qdiscCommand({ ...tbf, parent: 'ingress' }))).toEqual([]);
    const shown = tcQuery('tc qdisc show dev eth0', net, null)!.stdout;
    expect(shown).toContain('qdisc tbf 1: root');
    expect(shown).toContain('qdisc ingress ffff:');
    expect(applyTcCommand(net, qdiscCommand({ ...tbf, op: 'del' }))).toEqual([]);
    expect(applyTcCommand(net, qdiscCommand({ ...tbf, op: 'del', parent: 'ingress' }))).toEqual([]);
    expect(tcQuery('tc qdisc show dev eth0', net, null)!.stdout).not.toContain('tbf');
  });
});

describe("the engine's errors land on the field they are about", () => {
  it('a rate tc cannot read is the rate field’s', () => {
    expect(errorFields({ ...tbf, rate: 'fast' })).toEqual(['rate']);
  });

  it('a tbf without its burst is the kind’s (tc names what the kind is missing)', () => {
    expect(errorFields({ ...tbf, burst: '' })).toEqual(['kind']);
  });

  it('a device the host does not have is the device field’s', () => {
    expect(errorFields({ ...tbf, dev: 'eth9' })).toEqual(['dev']);
  });

  it('adding over an existing root qdisc is the place’s (the kernel wants replace)', () => {
    expect(errorFields(tbf, ['tc qdisc add dev eth0 root pfifo'])).toEqual(['parent']);
  });

  it('a handle tc cannot read is the handle field’s', () => {
    expect(errorFields({ ...tbf, handle: 'x:y' })).toEqual(['handle']);
  });
});
