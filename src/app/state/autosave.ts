// pattern: Functional Core
// The shape check of a scenario read back from anywhere (the vault, a file),
// and the single-key save format earlier versions of the app wrote to
// localStorage (state/persistence.ts moves such a save into the vault; a
// file in that format still opens). What comes back is checked before use: a
// corrupt, foreign or older save is ignored with a message, never a crash.

export const AUTOSAVE_KEY = 'packetwalk.scenario.v1';
const VERSION = 1;

/** The part of Storage used here (window.localStorage in the app). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type Restored = { scenario: Record<string, unknown>; problem: null } | { scenario: null; problem: string | null };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Why `s` cannot be an oracle case object, or null when its shape is right.
 * Only the shape is checked here; the engine judges the commands themselves.
 */
export function caseShapeProblem(s: unknown): string | null {
  if (!isObject(s)) return 'the scenario is not an object';
  if (typeof s.name !== 'string') return 'the scenario has no name';
  if (!Array.isArray(s.hosts) || s.hosts.length === 0) return 'the scenario has no hosts';
  for (const h of s.hosts) {
    if (!isObject(h) || typeof h.name !== 'string') return 'a host has no name';
    if (h.setup !== undefined && !Array.isArray(h.setup)) return `host ${h.name}: setup is not a list`;
    for (const c of (h.setup as unknown[] | undefined) ?? []) {
      if (typeof c !== 'string' && !(isObject(c) && typeof c['iptables-restore'] === 'string')) return `host ${h.name}: a setup command is neither text nor an iptables-restore block`;
    }
  }
  for (const key of ['links', 'switches', 'listeners', 'steps'] as const) {
    if (s[key] !== undefined && !Array.isArray(s[key])) return `${key} is not a list`;
  }
  if (Array.isArray(s.links) && s.links.some((l) => !Array.isArray(l) || l.length !== 2 || l.some((e) => typeof e !== 'string'))) return 'a link is not a pair of host:interface names';
  if (s.rt_tables !== undefined && (!isObject(s.rt_tables) || Object.values(s.rt_tables).some((v) => typeof v !== 'number'))) return 'rt_tables is not a map of names to numbers';
  return null;
}

export function encodeSave(scenario: Record<string, unknown>, savedAt = new Date()): string {
  return JSON.stringify({ version: VERSION, savedAt: savedAt.toISOString(), scenario });
}

/** The scenario in a saved text; null scenario and null problem: nothing was saved. */
export function decodeSave(text: string | null): Restored {
  if (text === null) return { scenario: null, problem: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { scenario: null, problem: 'The scenario saved in this browser is not valid JSON; it was ignored.' };
  }
  if (!isObject(parsed) || parsed.version !== VERSION) return { scenario: null, problem: 'The scenario saved in this browser is from another version of PacketWalk; it was ignored.' };
  const why = caseShapeProblem(parsed.scenario);
  if (why) return { scenario: null, problem: `The scenario saved in this browser is damaged (${why}); it was ignored.` };
  return { scenario: parsed.scenario as Record<string, unknown>, problem: null };
}
