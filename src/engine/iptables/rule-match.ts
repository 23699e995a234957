// pattern: Functional Core
// ip_packet_match (the fixed ipt_ip part) followed by the rule's match
// extensions in order, like ipt_do_table. The fixed part is checked first
// because it is the cheap, common filter.

import type { Packet } from '../net/packet';
import type { IfaceSelector, MatchContext, Rule } from './types';
import { matchModule } from './modules';

export function ifaceMatches(sel: IfaceSelector, name: string | null): boolean {
  const n = name ?? '';
  const s = sel.name;
  let ok: boolean;
  if (s.endsWith('+')) ok = n.startsWith(s.slice(0, -1));
  else ok = n === s;
  return ok !== sel.invert;
}

export function ipPartMatches(rule: Rule, p: Packet, ctx: MatchContext): boolean {
  const s = rule.src;
  if (s && ((((p.src & s.mask) >>> 0) === s.addr) === s.invert)) return false;
  const d = rule.dst;
  if (d && ((((p.dst & d.mask) >>> 0) === d.addr) === d.invert)) return false;
  if (rule.inIface && !ifaceMatches(rule.inIface, ctx.inIface)) return false;
  if (rule.outIface && !ifaceMatches(rule.outIface, ctx.outIface)) return false;
  const pr = rule.proto;
  if (pr && ((p.proto === pr.num) === pr.invert)) return false;
  // the engine never fragments, so `-f` never matches and `! -f` always does
  if (rule.fragment && !rule.fragment.invert) return false;
  return true;
}

export function ruleMatches(rule: Rule, p: Packet, ctx: MatchContext): boolean {
  if (!ipPartMatches(rule, p, ctx)) return false;
  const ms = rule.matches;
  for (let k = 0; k < ms.length; k++) {
    const m = ms[k]!;
    const mod = matchModule(m.module);
    if (!mod || !mod.match(m.options, p, ctx, rule)) return false;
  }
  return true;
}
