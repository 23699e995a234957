// pattern: Functional Core
// Seeded variants: a seed picks a challenge's addresses, ports and the order
// of rules that do not matter to it, so two students get different numbers
// and one student gets the same numbers every time (the seed is in the
// link). Seed 0 is the canonical variant: every pick is the first choice and
// nothing is shuffled, which is what the notes and the oracle fixtures show.

/** mulberry32: small, fast and the same on every JavaScript engine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Variant {
  readonly seed: number;
  /** one of `choices`; the first with seed 0 */
  pick<T>(choices: readonly T[]): T;
  /** an integer in [lo, hi]; `lo` with seed 0 */
  int(lo: number, hi: number): number;
  /** `n` distinct integers in [lo, hi]; lo, lo+1, … with seed 0 */
  distinct(n: number, lo: number, hi: number): number[];
  /** a shuffled copy; the same order with seed 0 */
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * The variant a seed makes. Each challenge asks for its numbers in a fixed
 * order, so a seed means the same numbers as long as the challenge is unchanged.
 *
 * @example
 * const v = variant(7);
 * const lan = v.pick(['192.168.1', '10.0.5']);
 */
export function variant(seed: number): Variant {
  const canonical = seed === 0;
  const next = mulberry32(seed * 2654435761);
  const int = (lo: number, hi: number) => (canonical ? lo : lo + Math.floor(next() * (hi - lo + 1)));
  return {
    seed,
    pick: <T>(choices: readonly T[]) => choices[canonical ? 0 : Math.floor(next() * choices.length)]!,
    int,
    distinct(n, lo, hi) {
      if (hi - lo + 1 < n) throw new RangeError(`cannot pick ${n} distinct numbers in [${lo}, ${hi}]`);
      if (canonical) return Array.from({ length: n }, (_, k) => lo + k);
      const out: number[] = [];
      while (out.length < n) {
        const x = int(lo, hi);
        if (!out.includes(x)) out.push(x);
      }
      return out;
    },
    shuffle<T>(items: readonly T[]) {
      const out = [...items];
      if (canonical) return out;
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/** Is `s` a seed: a whole number a link can carry. */
export function isSeed(s: number): boolean {
  return Number.isSafeInteger(s) && s >= 0 && s <= 0xffffffff;
}
