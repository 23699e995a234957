// pattern: Functional Core
// Why each rule a packet passed did or did not match, clause by clause
// ("--dport 22 ≠ 8080"): the ip part as ip_packet_match checks it, then each
// match extension's own explanation.

import { formatIpv4, maskLength } from '../net/addr';
import type { Packet } from '../net/packet';
import type { AddrSelector, ClauseResult, MatchContext, Rule } from './types';
import { matchModule } from './modules';
import { protoName } from './proto';
import { ifaceMatches } from './rule-match';

function addrText(a: AddrSelector): string {
  const len = maskLength(a.mask);
  return `${formatIpv4(a.addr)}/${len >= 0 ? len : formatIpv4(a.mask)}`;
}

function addrClause(flag: '-s' | '-d', sel: AddrSelector, value: number): ClauseResult {
  const inside = ((value & sel.mask) >>> 0) === sel.addr;
  const ok = inside !== sel.invert;
  const rel = inside ? '∈' : '∉';
  return { ok, why: `${sel.invert ? '! ' : ''}${flag} ${addrText(sel)}: ${formatIpv4(value)} ${rel} ${addrText(sel)}` };
}

/** Every clause of a rule, in the order the kernel checks them. */
export function explainRule(rule: Rule, p: Packet, ctx: MatchContext): ClauseResult[] {
  const out: ClauseResult[] = [];
  if (rule.src) out.push(addrClause('-s', rule.src, p.src));
  if (rule.dst) out.push(addrClause('-d', rule.dst, p.dst));
  if (rule.inIface) {
    const ok = ifaceMatches(rule.inIface, ctx.inIface);
    out.push({ ok, why: `${rule.inIface.invert ? '! ' : ''}-i ${rule.inIface.name}: in ${ctx.inIface ?? '(none)'}` });
  }
  if (rule.outIface) {
    const ok = ifaceMatches(rule.outIface, ctx.outIface);
    out.push({ ok, why: `${rule.outIface.invert ? '! ' : ''}-o ${rule.outIface.name}: out ${ctx.outIface ?? '(none)'}` });
  }
  if (rule.proto) {
    const ok = (p.proto === rule.proto.num) !== rule.proto.invert;
    out.push({ ok, why: `${rule.proto.invert ? '! ' : ''}-p ${protoName(rule.proto.num)}: packet is ${protoName(p.proto)}` });
  }
  if (rule.fragment) out.push({ ok: rule.fragment.invert, why: `${rule.fragment.invert ? '! ' : ''}-f: not a fragment` });
  for (const m of rule.matches) {
    const mod = matchModule(m.module);
    if (!mod) {
      out.push({ ok: false, why: `-m ${m.module}: not modelled` });
      continue;
    }
    const clauses = mod.explain ? mod.explain(m.options, p, ctx, rule) : [{ ok: mod.match(m.options, p, ctx, rule), why: `-m ${m.module}` }];
    for (const c of clauses) out.push({ ok: c.ok, why: c.why ? `-m ${m.module} ${c.why}` : `-m ${m.module}` });
  }
  return out;
}
