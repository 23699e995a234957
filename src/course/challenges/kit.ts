// pattern: Functional Core
// What the challenge files share: the address plans a seed varies, probe
// makers, and `define`, which turns a challenge’s description (a function of
// the seed’s variant) into a catalog entry. Keeping these small lets each
// challenge read like its task.

import type { Case, CaseHost, CaseStep } from '../../engine/scenario/case';
import { variant, type Variant } from '../seed';
import type { Challenge, ChallengeInstance, Level, Text, UnitId } from '../types';

export type { Variant };

export const t = (en: string, zh: string): Text => ({ en, zh });

/** What a challenge file writes for one seed; `define` adds the fixed fields. */
export type Spec = Omit<ChallengeInstance, 'id' | 'seed' | 'unit' | 'level' | 'title' | 'start'> & {
  start: Omit<Case, 'name' | 'steps'>;
};

export function define(id: string, unit: UnitId, level: Level, title: Text, make: (v: Variant) => Spec): Challenge {
  return {
    id,
    unit,
    level,
    title,
    build(seed: number): ChallengeInstance {
      const s = make(variant(seed));
      const start: Case = { name: id, ...s.start, steps: s.probes.map((p) => p.step) };
      return { ...s, id, seed, unit, level, title, start };
    },
  };
}

export function host(name: string, ...setup: string[]): CaseHost {
  return { name, setup };
}

/** `start` with `commands` added to the end of one host’s setup. */
export function withSetup<T extends { hosts: CaseHost[] }>(start: T, name: string, ...commands: string[]): T {
  return { ...start, hosts: start.hosts.map((h) => (h.name === name ? { ...h, setup: [...(h.setup ?? []), ...commands] } : h)) };
}

/** Private /24 prefixes (three octets) a seed picks a LAN from. */
export const LANS = ['192.168.1', '192.168.10', '10.0.5', '172.16.7', '192.168.77', '10.20.30'];
/** Documentation prefixes (RFC 5737) a seed picks a "public" network from. */
export const WANS = ['198.51.100', '203.0.113', '192.0.2'];

/** Two different prefixes of `list`. */
export function twoOf(v: Variant, list: readonly string[]): [string, string] {
  const a = v.pick(list);
  const rest = list.filter((x) => x !== a);
  return [a, v.pick(rest)];
}

export function tcp(from: string, to: string, port: number, opts: { sport?: number; data?: string; src?: string } = {}): CaseStep {
  return { from, tcp: `${to}:${port}`, data: opts.data ?? 'hello', ...(opts.sport !== undefined ? { sport: opts.sport } : {}), ...(opts.src ? { src: opts.src } : {}) };
}

export function udp(from: string, to: string, port: number, opts: { sport?: number; data?: string } = {}): CaseStep {
  return { from, udp: `${to}:${port}`, data: opts.data ?? 'query', ...(opts.sport !== undefined ? { sport: opts.sport } : {}) };
}

export function ping(from: string, to: string): CaseStep {
  return { from, ping: to };
}

/** A solution text: host blocks of commands. */
export function sol(...blocks: [host: string, ...commands: string[]][]): string {
  return `${blocks.map(([h, ...cmds]) => [`# host ${h}`, ...cmds].join('\n')).join('\n')}\n`;
}

/** A predict-the-path answer as a solution text. */
export function answer(id: string): string {
  return `# answer: ${id}\n`;
}
