// pattern: Functional Core
// A host's iptables rules while the generator writes them, and how they are
// typed in the end: `iptables -t T -A/-I/-R/-D/-N/-P` commands in a valid
// order, or an `iptables-restore` block (with or without --noflush).

import type { SetupCommandJson } from './case-json';
import type { Rng } from './rng';

export type Table = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export const TABLE_CHAINS: Readonly<Record<Table, readonly Hook[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export const TABLE_ORDER: readonly Table[] = ['raw', 'mangle', 'nat', 'filter', 'security'];

export interface ChainState {
  name: string;
  builtin: boolean;
  /** the hooks a packet can reach this chain from (a user chain takes its callers') */
  hooks: Set<Hook>;
  rules: string[];
  policy: 'ACCEPT' | 'DROP';
  policySet: boolean;
}

export class HostRuleset {
  readonly tables = new Map<Table, Map<string, ChainState>>();

  constructor() {
    for (const t of TABLE_ORDER) {
      const m = new Map<string, ChainState>();
      for (const h of TABLE_CHAINS[t]) m.set(h, { name: h, builtin: true, hooks: new Set([h]), rules: [], policy: 'ACCEPT', policySet: false });
      this.tables.set(t, m);
    }
  }

  chain(t: Table, name: string): ChainState | undefined {
    return this.tables.get(t)!.get(name);
  }

  /** a user chain reached from `hooks` */
  newChain(t: Table, name: string, hooks: Iterable<Hook>): ChainState {
    const c: ChainState = { name, builtin: false, hooks: new Set(hooks), rules: [], policy: 'ACCEPT', policySet: false };
    this.tables.get(t)!.set(name, c);
    return c;
  }

  add(t: Table, chain: string, spec: string, at?: 'start'): void {
    const c = this.chain(t, chain)!;
    if (at === 'start') c.rules.unshift(spec);
    else c.rules.push(spec);
  }

  setPolicy(t: Table, chain: string, policy: 'ACCEPT' | 'DROP'): void {
    const c = this.chain(t, chain)!;
    c.policy = policy;
    c.policySet = true;
  }

  isEmpty(t: Table): boolean {
    return [...this.tables.get(t)!.values()].every((c) => c.builtin && c.rules.length === 0 && !c.policySet);
  }

  ruleCount(): number {
    let n = 0;
    for (const m of this.tables.values()) for (const c of m.values()) n += c.rules.length;
    return n;
  }

  /** The setup commands that build these rules, typed the way people do. */
  emit(r: Rng): SetupCommandJson[] {
    const out: SetupCommandJson[] = [];
    for (const t of r.shuffle(TABLE_ORDER)) {
      if (this.isEmpty(t)) continue;
      if (r.chance(0.28)) out.push(this.restoreBlock(t, r));
      else out.push(...this.commands(t, r));
    }
    return out;
  }

  private restoreBlock(t: Table, r: Rng): SetupCommandJson {
    const chains = [...this.tables.get(t)!.values()];
    const lines = [`*${t}`];
    for (const c of chains) if (c.builtin) lines.push(`:${c.name} ${c.policy} [0:0]`);
    for (const c of chains) if (!c.builtin) lines.push(`:${c.name} - [0:0]`);
    for (const c of chains) for (const rule of c.rules) lines.push(`-A ${c.name}${rule ? ` ${rule}` : ''}`);
    lines.push('COMMIT', '');
    return { 'iptables-restore': lines.join('\n'), noflush: r.chance(0.5) };
  }

  private commands(t: Table, r: Rng): string[] {
    const pre = t === 'filter' && r.chance(0.5) ? 'iptables' : `iptables -t ${t}`;
    const chains = [...this.tables.get(t)!.values()];
    const out: string[] = [];
    for (const c of chains) if (!c.builtin) out.push(`${pre} -N ${c.name}`);
    for (const c of chains) if (c.policySet) out.push(`${pre} -P ${c.name} ${c.policy}`);
    for (const c of chains) {
      // type most rules in order; now and then one later with -I at its place, replace one with -R,
      // or add and delete a stray one: the final chain is the same, the commands are what people type
      const order = c.rules.map((_, i) => i);
      const late = order.filter(() => r.chance(0.12));
      const sequence = [...order.filter((i) => !late.includes(i)), ...r.shuffle(late)];
      const typed: number[] = [];
      for (const i of sequence) {
        const pos = typed.filter((j) => j < i).length + 1;
        const spec = c.rules[i]!;
        const line = (verb: string) => [pre, verb, c.name, ...(verb === '-I' ? [String(pos)] : []), spec].filter((x) => x !== '').join(' ');
        if (r.chance(0.04)) {
          // a stray rule deleted again, by number or by its text
          const stray = `-p udp --dport ${r.int(1, 65535)} -j ACCEPT`;
          const where = r.int(1, typed.length + 1);
          out.push(where === typed.length + 1 ? `${pre} -A ${c.name} ${stray}` : `${pre} -I ${c.name} ${where} ${stray}`);
          out.push(r.chance(0.5) ? `${pre} -D ${c.name} ${where}` : `${pre} -D ${c.name} ${stray}`);
        }
        if (pos === typed.length + 1) {
          if (r.chance(0.05) && typed.length === 0 && c.rules.length) {
            // typed wrong first, then replaced
            out.push(`${pre} -A ${c.name} -p tcp --dport 1 -j ACCEPT`, line("-R").replace(` -R ${c.name}`, ` -R ${c.name} 1`));
          } else out.push(line('-A'));
        } else out.push(line('-I'));
        typed.push(i);
      }
    }
    return out;
  }
}
