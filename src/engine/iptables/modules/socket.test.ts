// pattern: Imperative Shell
// -m socket (xt_socket's socket_match) over the socket the host's lookup
// finds: which sockets count with which options, and --restore-skmark.
// The whole lookup through a network is recorded in case q43.

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from '../command';
import type { MatchContext, Rule, SocketView } from '../types';
import type { Packet } from '../../net/packet';
import { parseIpv4 } from '../../net/addr';
import { inputContext } from '../test-context';
import { getMatch } from './index';

function rule(args: string): Rule {
  const p = parseIptablesCommand(`iptables -t mangle -A PREROUTING -m socket ${args}`.trim());
  expect(p.diagnostics).toEqual([]);
  return p.value!.rules[0]!;
}

const syn = (): Packet => ({ src: parseIpv4('10.0.0.2')!, dst: parseIpv4('10.0.0.1')!, proto: 6, ttl: 64, tos: 0, len: 60, ipid: 1, df: true, mark: 0, sport: 40001, dport: 80, tcp: { seq: 0, ack: 0, flags: 0x02, window: 64240, urgp: 0, options: '' }, payload: '' });

function holds(args: string, sk: SocketView | null, p = syn()): boolean {
  const r = rule(args);
  const ctx: MatchContext = { ...inputContext(), hook: 'PREROUTING', table: 'mangle', chain: 'PREROUTING', lookupSocket: () => sk };
  return r.matches.every((m) => getMatch(m.module)!.match(m.options, p, ctx, r));
}

const listenerAny: SocketView = { full: true, wildcard: true, transparent: false, mark: 0 };
const listenerAddr: SocketView = { ...listenerAny, wildcard: false };
const connection: SocketView = { full: true, wildcard: false, transparent: false, mark: 0x2a };
const halfOpen: SocketView = { full: false, wildcard: false, transparent: false, mark: 0 };

describe('-m socket', () => {
  it('does not match a packet no local socket takes', () => {
    expect(holds('', null)).toBe(false);
    expect(holds('--nowildcard', null)).toBe(false);
  });

  it('ignores a listener bound to 0.0.0.0 unless --nowildcard', () => {
    expect(holds('', listenerAny)).toBe(false);
    expect(holds('--nowildcard', listenerAny)).toBe(true);
    expect(holds('', listenerAddr)).toBe(true);
  });

  it('matches a connection, also a half-open one (a request socket is no full socket)', () => {
    expect(holds('', connection)).toBe(true);
    expect(holds('', halfOpen)).toBe(true);
  });

  it('with --transparent wants IP_TRANSPARENT', () => {
    expect(holds('--transparent', connection)).toBe(false);
    expect(holds('--transparent', { ...connection, transparent: true })).toBe(true);
  });

  it('with --restore-skmark copies the mark of a full socket that counts', () => {
    const p = syn();
    expect(holds('--restore-skmark', connection, p)).toBe(true);
    expect(p.mark).toBe(0x2a);
    const q = syn();
    expect(holds('--restore-skmark', listenerAny, q)).toBe(false);
    expect(q.mark).toBe(0);
  });
});
