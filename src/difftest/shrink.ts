// pattern: Functional Core
// Shrinking a diverging case to the little that still diverges: drop hosts,
// steps, listeners, setup commands, restore lines, rule clauses and step
// options one at a time, keeping each cut while the same divergence stays
// (the caller's predicate, which runs the kernel and the engine). Greedy
// passes until one makes no progress or the budget of predicate calls is
// spent; every candidate is a complete case file the harness accepts as
// written, or the predicate says no.

import type { CaseJson, SetupCommandJson, StepJson } from './case-json';
import { words } from './coverage';

export interface Candidate {
  what: string;
  case: CaseJson;
}

function clone(c: CaseJson): CaseJson {
  return JSON.parse(JSON.stringify(c)) as CaseJson;
}

function withoutHost(c: CaseJson, name: string): CaseJson {
  const n = clone(c);
  const mine = (ep: string) => ep.split(':')[0] === name;
  n.hosts = n.hosts.filter((h) => h.name !== name);
  n.links = (n.links ?? []).filter(([a, b]) => !mine(a) && !mine(b));
  n.switches = (n.switches ?? []).map((s) => ({ ...s, ports: s.ports.filter((p) => !mine(p)) })).filter((s) => s.ports.length >= 1);
  n.listeners = (n.listeners ?? []).filter((l) => l.host !== name);
  n.steps = n.steps.filter((s) => s.from !== name);
  return n;
}

/** An iptables command or restore rule line cut into clauses: `-m tcp --dport 80`, `! -s 10.0.0.1`, `-j LOG --log-prefix "x"`. */
export function clauses(tokens: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const startsClause = (t === '!' && tokens[i + 1]?.startsWith('-')) || (/^-{1,2}[a-zA-Z]/.test(t) && tokens[i - 1] !== '!');
    if (startsClause && (t === '!' || /^-[a-zA-Z]$|^-m$/.test(t) || t.startsWith('--'))) {
      if (cur.length) out.push(cur);
      cur = [];
    }
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

function quote(t: string): string {
  return /^[A-Za-z0-9_./:,=+@%-]+$/.test(t) ? t : `"${t.replace(/(["\\])/g, '\\$1')}"`;
}

/** the rule with one clause left out, where the clause is a match option and not the chain or the verb */
function ruleVariants(line: string, prefixWords: number): { what: string; line: string }[] {
  const tokens = words(line);
  const head = tokens.slice(0, prefixWords);
  const cl = clauses(tokens.slice(prefixWords));
  const out: { what: string; line: string }[] = [];
  cl.forEach((c, i) => {
    const flag = c[0] === '!' ? c[1] : c[0];
    if (['-A', '-I', '-R', '-D', '-t', '-N', '-P', '-j', '-g'].includes(flag ?? '')) return;
    const rest = cl.filter((_, j) => j !== i).flat();
    out.push({ what: `drop ${c.join(' ')}`, line: [...head, ...rest].map(quote).join(' ') });
  });
  return out;
}

function without<T extends object>(o: T, key: keyof T): T {
  const n = { ...o };
  Reflect.deleteProperty(n, key);
  return n;
}

function stepVariants(s: StepJson): { what: string; step: StepJson }[] {
  const out: { what: string; step: StepJson }[] = [];
  for (const k of ['data', 'close', 'ttl', 'mark', 'src', 'note', 'sport', 'timeout'] as const) {
    if (s[k] !== undefined) out.push({ what: `step without ${k}`, step: without(s, k) });
  }
  if (s.packet) {
    for (const k of ['src', 'ttl', 'tos', 'data', 'df', 'flags'] as const) {
      if (s.packet[k] !== undefined) out.push({ what: `packet without ${k}`, step: { ...s, packet: without(s.packet, k) } });
    }
  }
  return out;
}

/** Every one-cut simplification of `c`, largest cuts first. */
export function* reductions(c: CaseJson): Generator<Candidate> {
  for (const h of c.hosts) yield { what: `drop host ${h.name}`, case: withoutHost(c, h.name) };
  for (let i = c.steps.length - 1; i >= 0 && c.steps.length > 1; i--) {
    const n = clone(c);
    n.steps.splice(i, 1);
    yield { what: `drop step ${i + 1}`, case: n };
  }
  for (const [hi, h] of c.hosts.entries()) {
    for (let k = h.setup.length - 1; k >= 0; k--) {
      const n = clone(c);
      n.hosts[hi]!.setup.splice(k, 1);
      yield { what: `drop ${h.name} setup[${k}]`, case: n };
    }
  }
  for (let i = (c.listeners ?? []).length - 1; i >= 0; i--) {
    const n = clone(c);
    n.listeners!.splice(i, 1);
    yield { what: `drop listener ${i}`, case: n };
  }
  if (c.options) {
    const n = clone(c);
    delete n.options;
    yield { what: 'drop options', case: n };
  }
  // restore blocks: one rule line at a time
  for (const [hi, h] of c.hosts.entries()) {
    for (const [k, cmd] of h.setup.entries()) {
      if (typeof cmd === 'string') continue;
      const lines = cmd['iptables-restore'].split('\n');
      for (let li = lines.length - 1; li >= 0; li--) {
        if (!lines[li]!.startsWith('-A ') && !/^:\S+ - /.test(lines[li]!)) continue;
        const n = clone(c);
        const cut = [...lines];
        cut.splice(li, 1);
        (n.hosts[hi]!.setup[k] as Exclude<SetupCommandJson, string>)['iptables-restore'] = cut.join('\n');
        yield { what: `drop ${h.name} setup[${k}] line ${li + 1}`, case: n };
      }
    }
  }
  // clauses of rules, then step options
  for (const [hi, h] of c.hosts.entries()) {
    for (const [k, cmd] of h.setup.entries()) {
      if (typeof cmd === 'string') {
        if (!cmd.startsWith('iptables')) continue;
        for (const v of ruleVariants(cmd, 1)) {
          const n = clone(c);
          n.hosts[hi]!.setup[k] = v.line;
          yield { what: `${h.name} setup[${k}]: ${v.what}`, case: n };
        }
        continue;
      }
      const lines = cmd['iptables-restore'].split('\n');
      for (const [li, line] of lines.entries()) {
        if (!line.startsWith('-A ')) continue;
        for (const v of ruleVariants(line, 0)) {
          const n = clone(c);
          const cut = [...lines];
          cut[li] = v.line;
          (n.hosts[hi]!.setup[k] as Exclude<SetupCommandJson, string>)['iptables-restore'] = cut.join('\n');
          yield { what: `${h.name} setup[${k}] line ${li + 1}: ${v.what}`, case: n };
        }
      }
    }
  }
  for (const [i, s] of c.steps.entries()) {
    for (const v of stepVariants(s)) {
      const n = clone(c);
      n.steps[i] = v.step;
      yield { what: `step ${i + 1}: ${v.what}`, case: n };
    }
  }
}

export function size(c: CaseJson): number {
  let n = c.hosts.length * 10 + c.steps.length * 5 + (c.listeners ?? []).length;
  for (const h of c.hosts) for (const s of h.setup) n += typeof s === 'string' ? 1 : s['iptables-restore'].split('\n').filter((l) => l.startsWith('-A')).length + 1;
  return n;
}

export interface ShrinkResult {
  case: CaseJson;
  steps: string[];
  calls: number;
}

/**
 * Greedy one-cut-at-a-time shrinking. `stillDiverges` is asked about each
 * candidate; a kept cut is built upon at once, and the scan goes on from the
 * same position in the smaller case's candidates (the ones before it were
 * tried). Passes repeat from the start until one keeps nothing or `budget`
 * calls are spent.
 */
export async function shrink(c: CaseJson, stillDiverges: (c: CaseJson) => Promise<boolean>, budget = 200): Promise<ShrinkResult> {
  let best = c;
  const kept: string[] = [];
  let calls = 0;
  for (let pass = 0; pass < 8 && calls < budget; pass++) {
    let progress = false;
    let list = [...reductions(best)];
    for (let i = 0; i < list.length && calls < budget; i++) {
      calls++;
      const cand = list[i]!;
      if (await stillDiverges(cand.case)) {
        best = cand.case;
        kept.push(cand.what);
        progress = true;
        list = [...reductions(best)];
        i--;
      }
    }
    if (!progress) break;
  }
  return { case: best, steps: kept, calls };
}
