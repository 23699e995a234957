// pattern: Functional Core
// `ip neigh add|change|replace|delete|flush|show` as iproute2 6.1's
// ipneigh.c parses it, applied to the host's neighbour table.

import type { Diagnostic, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { Ipv4 } from './addr';
import type { HostNet, NudState } from './config';
import { findLink } from './config';
import type { BaseFields, Cursor, IpBase, WordRef } from './ip-args';
import { addrArg, kernelError, MAC, matches, noDevice, normaliseMac, ref } from './ip-args';

export interface IpNeighCommand extends IpBase {
  object: 'neigh';
  verb: 'add' | 'change' | 'replace' | 'delete' | 'flush' | 'show';
  addr: Ipv4 | null;
  addrSpan: Span | null;
  lladdr: string | null;
  dev: WordRef | null;
  state: NudState | null;
}

/** The verbs do_ipneigh() tests, in its order; [word, verb, exact?]. */
export const NEIGH_VERBS: readonly [string, string, boolean][] = [
  ['add', 'add', false],
  ['change', 'change', false],
  ['chg', 'change', true],
  ['replace', 'replace', false],
  ['delete', 'delete', false],
  ['list', 'show', false],
  ['show', 'show', false],
  ['lst', 'show', false],
  ['flush', 'flush', false],
];

const NUD_STATES: readonly NudState[] = ['permanent', 'noarp', 'reachable', 'stale', 'delay', 'probe', 'failed', 'incomplete', 'none'];

export function parseNeigh(c: Cursor, b: BaseFields, verb: IpNeighCommand['verb']): IpNeighCommand {
  const cmd: IpNeighCommand = { span: b.span, inet: b.inet, verbSpan: b.verbSpan, object: 'neigh', verb, addr: null, addrSpan: null, lladdr: null, dev: null, state: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (matches(t, 'lladdr') && t !== '') {
      const a = c.arg(w, 'a link-layer address');
      if (!a) break;
      if (cmd.lladdr !== null) c.duparg('lladdr', a);
      else if (!MAC.test(a.text)) c.fail(a, `"${a.text}" is invalid lladdr.`, 'ip/invalid-lladdr');
      else cmd.lladdr = normaliseMac(a.text);
    } else if (t === 'nud') {
      const a = c.arg(w, 'a NUD state');
      if (!a) break;
      const s = a.text.toLowerCase() as NudState;
      if (!NUD_STATES.includes(s)) c.invarg(a, 'nud state is bad');
      else cmd.state = s;
    } else if (t === 'dev') {
      const a = c.arg(w, 'a device name');
      if (a) cmd.dev = ref(a);
    } else if ((matches(t, 'proxy') || matches(t, 'router')) && t !== '') {
      continue;
    } else {
      let a: Word | null = w;
      if (t === 'to') a = c.arg(w, 'an address');
      if (!a) break;
      if (cmd.addrSpan) {
        c.duparg('to', a);
        break;
      }
      const v = addrArg(c, a, b.inet);
      if (v !== null) {
        cmd.addr = v;
        cmd.addrSpan = { from: a.from, to: a.to };
      }
    }
  }
  if (!c.failed && verb !== 'show' && verb !== 'flush' && (cmd.dev === null || cmd.addr === null)) {
    c.fail(b.span, 'Device and destination are required arguments.', 'ip/neigh-arguments');
  }
  return cmd;
}

export function applyNeigh(net: HostNet, cmd: IpNeighCommand): Diagnostic[] {
  if (cmd.verb === 'show') return [];
  const dev = cmd.dev;
  if (cmd.verb === 'flush') {
    if (dev && !findLink(net, dev.text)) return [noDevice(dev)];
    net.neighbours = net.neighbours.filter((n) => (dev !== null && n.iface !== dev.text) || n.state === 'permanent' || n.state === 'noarp');
    return [];
  }
  if (!dev || cmd.addr === null) return [];
  if (!findLink(net, dev.text)) return [noDevice(dev)];
  const idx = net.neighbours.findIndex((n) => n.iface === dev.text && n.addr === cmd.addr);
  const span = cmd.addrSpan ?? cmd.span;
  if (cmd.verb === 'delete') {
    if (idx < 0) return [kernelError(span, 'RTNETLINK answers: No such file or directory', 'ip/no-neigh')];
    net.neighbours.splice(idx, 1);
    return [];
  }
  if (idx >= 0 && cmd.verb === 'add') return [kernelError(span, 'RTNETLINK answers: File exists', 'ip/exists')];
  if (idx < 0 && cmd.verb === 'change') return [kernelError(span, 'RTNETLINK answers: No such file or directory', 'ip/no-neigh')];
  const entry = { iface: dev.text, addr: cmd.addr, lladdr: cmd.lladdr, state: cmd.state ?? 'permanent' };
  if (idx >= 0) net.neighbours[idx] = entry;
  else net.neighbours.push(entry);
  return [];
}
