// pattern: Functional Core
// A challenge set as an instructor shares it: `course=set:ID[:SEED],…` in
// the page's link, the challenges in the instructor's order, each with its
// own seed or the link's `seed=`. Reading it never throws: an item that is
// not a challenge id, or names no challenge the course has, is reported by
// its position and text, and the rest of the set still opens.

export interface SetItem {
  id: string;
  /** null: seed 0, or the link's seed= */
  seed: number | null;
}

export interface SetProblem {
  /** 1-based position of the item in the list */
  at: number;
  item: string;
  kind: 'syntax' | 'unknown' | 'duplicate';
  message: string;
}

export interface ChallengeSet {
  items: SetItem[];
  problems: SetProblem[];
}

/** More than a course's worth of challenges is not a set anyone means to share. */
export const MAX_SET = 100;

const ITEM = /^([a-z0-9-]{1,64})(?::(\d{1,10}))?$/;

/**
 * The items of a set's text; `known`: the course's challenge ids, when the
 * caller has them (an id outside them is a problem that names it).
 *
 * @example
 * readChallengeSet('ssh-only:3,block-ping,nope', new Set(['ssh-only', 'block-ping']))
 * // items: ssh-only seed 3, block-ping; problems: item 3 "nope": no such challenge
 */
export function readChallengeSet(text: string, known?: ReadonlySet<string>): ChallengeSet {
  const out: ChallengeSet = { items: [], problems: [] };
  const seen = new Set<string>();
  const parts = text.split(',').map((x) => x.trim());
  parts.forEach((raw, k) => {
    const at = k + 1;
    if (!raw) return;
    if (k >= MAX_SET) {
      if (k === MAX_SET) out.problems.push({ at, item: raw, kind: 'syntax', message: `item ${at}: a set holds at most ${MAX_SET} challenges; the rest are left out` });
      return;
    }
    const m = ITEM.exec(raw.toLowerCase());
    const seed = m?.[2] === undefined ? null : Number(m[2]);
    if (!m || (seed !== null && seed > 0xffffffff)) {
      out.problems.push({ at, item: raw, kind: 'syntax', message: `item ${at} “${raw}”: expected a challenge id (a-z, 0-9, -) with an optional :SEED (a whole number up to 4294967295)` });
      return;
    }
    const id = m[1]!;
    if (known && !known.has(id)) {
      out.problems.push({ at, item: id, kind: 'unknown', message: `item ${at} “${id}”: there is no such challenge` });
      return;
    }
    const key = `${id}:${seed ?? ''}`;
    if (seen.has(key)) {
      out.problems.push({ at, item: raw, kind: 'duplicate', message: `item ${at} “${raw}”: already in the set` });
      return;
    }
    seen.add(key);
    out.items.push({ id, seed });
  });
  return out;
}

/** A set's canonical text: ids in order, `:SEED` where one is given. */
export function challengeSetText(items: readonly SetItem[]): string {
  return items.map((i) => (i.seed === null ? i.id : `${i.id}:${i.seed}`)).join(',');
}

/**
 * The set's text with the link's seed given to every item without its own;
 * items that do not parse are kept as they are, so the Course view can name them.
 */
export function withDefaultSeed(text: string, seed: number | null): string {
  if (seed === null) return text;
  return text
    .split(',')
    .map((raw) => {
      const t = raw.trim();
      const m = ITEM.exec(t.toLowerCase());
      return m && m[2] === undefined ? `${m[1]}:${seed}` : t;
    })
    .join(',');
}
