// pattern: Functional Core
// `ip address add|change|replace|delete|flush|show` as iproute2 6.1's
// ipaddress.c parses it, and the kernel's answers when it is applied
// (devinet.c: one address per prefix and device, primaries and secondaries).

import type { Diagnostic, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { Ipv4 } from './addr';
import { prefixMask } from './addr';
import type { HostNet, RouteScope } from './config';
import { addAddress, deleteAddress, findLink } from './config';
import type { BaseFields, Cursor, IpBase, WordRef } from './ip-args';
import { addrArg, familyName, kernelError, matches, noDevice, parsePrefix, ref } from './ip-args';
import { parseScope } from './rt-names';

export interface IpAddrCommand extends IpBase {
  object: 'address';
  verb: 'add' | 'change' | 'replace' | 'delete' | 'flush' | 'show';
  local: { addr: Ipv4; prefixLen: number | null; span: Span } | null;
  dev: WordRef | null;
  /** '+' computes it, '-' clears it */
  broadcast: Ipv4 | '+' | '-' | null;
  scope: RouteScope | null;
  label: string | null;
  noPrefixRoute: boolean;
}

/** The verbs do_ipaddress() tests, in its order; [word, verb, exact?]. */
export const ADDRESS_VERBS: readonly [string, string, boolean][] = [
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

export function parseAddr(c: Cursor, b: BaseFields, verb: IpAddrCommand['verb']): IpAddrCommand {
  const cmd: IpAddrCommand = { span: b.span, inet: b.inet, verbSpan: b.verbSpan, object: 'address', verb, local: null, dev: null, broadcast: null, scope: null, label: null, noPrefixRoute: false };
  const listing = verb === 'show' || verb === 'flush';
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (listing) {
      if (t === 'dev') {
        const a = c.arg(w, 'a device name');
        if (a) cmd.dev = ref(a);
      } else if (t === 'scope' || t === 'label' || t === 'to' || t === 'type') {
        c.arg(w, 'a value');
      } else if (t === 'primary' || t === 'secondary' || t === 'up' || t === 'permanent' || t === 'dynamic') {
        continue;
      } else if (!cmd.dev) cmd.dev = ref(w);
      else c.duparg('dev', w);
      continue;
    }
    if (t === 'peer' || t === 'remote') {
      c.fail(w, 'peer addresses are not supported', 'ip/unsupported');
    } else if ((matches(t, 'broadcast') && t !== '') || t === 'brd') {
      const a = c.arg(w, '+, - or an address');
      if (!a) break;
      if (cmd.broadcast !== null) c.duparg('broadcast', a);
      else if (a.text === '+') cmd.broadcast = '+';
      else if (a.text === '-') cmd.broadcast = '-';
      else {
        const v = addrArg(c, a, b.inet);
        if (v !== null) cmd.broadcast = v;
      }
    } else if (t === 'label') {
      const a = c.arg(w, 'a label');
      if (a) cmd.label = a.text;
    } else if (t === 'valid_lft' || t === 'preferred_lft') {
      c.arg(w, 'a lifetime');
    } else if ((matches(t, 'metric') || matches(t, 'priority') || matches(t, 'preference')) && t !== '') {
      c.arg(w, 'a metric');
    } else if (matches(t, 'scope') && t !== '') {
      const a = c.arg(w, 'global, link, host or a number');
      if (!a) break;
      const s = parseScope(a.text);
      if (s === null) c.invarg(a, 'invalid scope value.');
      else cmd.scope = s;
    } else if (t === 'dev') {
      const a = c.arg(w, 'a device name');
      if (a) cmd.dev = ref(a);
    } else if (t === 'noprefixroute') cmd.noPrefixRoute = true;
    else if (t === 'nodad' || t === 'home' || t === 'mngtmpaddr' || t === 'optimistic' || t === 'autojoin') continue;
    else {
      let a: Word | null = w;
      if (t === 'local') a = c.arg(w, 'an address');
      if (!a) break;
      if (cmd.local) {
        c.duparg('local', a);
        break;
      }
      const p = parsePrefix(a.text);
      if (p === null || a.text === 'default' || a.text === 'all' || a.text === 'any') {
        c.fail(a, `Error: ${familyName(b.inet)} prefix is expected rather than "${a.text}".`, 'ip/invalid-prefix', 'ADDR/LEN');
        break;
      }
      cmd.local = { addr: p.addr, prefixLen: a.text.includes('/') ? p.len : null, span: { from: a.from, to: a.to } };
    }
  }
  if (c.failed) return cmd;
  if (!listing && !cmd.dev) {
    c.fail(b.span, 'Not enough information: "dev" argument is required.', 'ip/missing-dev', 'dev IFNAME');
  } else if (!listing && !cmd.local) {
    c.fail(b.span, 'Not enough information: "local" argument is required.', 'ip/missing-local', 'ADDR/LEN');
  } else if (verb === 'flush' && !cmd.dev) {
    c.fail(b.verbSpan, 'Flush requires arguments.', 'ip/flush-arguments');
  } else if (cmd.label !== null && cmd.dev && !cmd.label.startsWith(cmd.dev.text)) {
    c.fail(cmd.dev, `"dev" (${cmd.dev.text}) must match "label" (${cmd.label}).`, 'ip/label');
  }
  return cmd;
}

function defaultAddrScope(addr: Ipv4): RouteScope {
  return addr >>> 24 === 127 ? 'host' : 'global';
}

export function applyAddr(net: HostNet, cmd: IpAddrCommand): Diagnostic[] {
  const dev = cmd.dev;
  if (cmd.verb === 'show') {
    return dev && !findLink(net, dev.text) ? [kernelError(dev, `Device "${dev.text}" does not exist.`, 'ip/no-device')] : [];
  }
  if (!dev) return [];
  const link = findLink(net, dev.text);
  if (!link) return [noDevice(dev)];
  if (cmd.verb === 'flush') {
    const mine = net.addresses.filter((a) => a.iface === dev.text && !a.secondary);
    for (const a of mine) deleteAddress(net, a.iface, a.addr, a.prefixLen);
    return [];
  }
  const local = cmd.local;
  if (!local) return [];
  if (cmd.verb === 'delete') {
    if (!deleteAddress(net, dev.text, local.addr, local.prefixLen)) {
      return [kernelError(local.span, 'RTNETLINK answers: Cannot assign requested address', 'ip/no-address')];
    }
    return [];
  }
  const prefixLen = local.prefixLen ?? 32;
  let broadcast = 0;
  if (cmd.broadcast === '+') broadcast = prefixLen >= 31 ? 0 : (local.addr | ~prefixMask(prefixLen)) >>> 0;
  else if (typeof cmd.broadcast === 'number') broadcast = cmd.broadcast;
  const existing = net.addresses.find((a) => a.iface === dev.text && a.addr === local.addr && a.prefixLen === prefixLen);
  if (existing) {
    if (cmd.verb === 'add') return [kernelError(local.span, 'RTNETLINK answers: File exists', 'ip/exists')];
    deleteAddress(net, dev.text, local.addr, prefixLen);
  } else if (cmd.verb === 'change') {
    return [kernelError(local.span, 'RTNETLINK answers: No such file or directory', 'ip/no-address')];
  }
  addAddress(net, {
    iface: dev.text,
    addr: local.addr,
    prefixLen,
    broadcast,
    scope: cmd.scope ?? defaultAddrScope(local.addr),
    label: cmd.label ?? dev.text,
    secondary: false,
    noPrefixRoute: cmd.noPrefixRoute,
  });
  return [];
}
