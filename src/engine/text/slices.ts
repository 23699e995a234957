// pattern: Functional Core
// Work that can pause. A long computation written as a generator yields
// (no value) at points where stopping is cheap — every few thousand rules
// of a 50,000-rule save — and returns its result at the end. The engine
// stays free of timers: whoever runs it decides what a pause is. The worker
// runs a snapshot a slice per task and answers edits between slices
// (worker/server.ts); everyone else drains it in one go.

/** A computation that yields between slices of its work and returns a T. */
export type Sliced<T> = Generator<void, T, void>;

/**
 * Run a sliced computation to its end without pausing.
 * @example drain(saveRulesetSliced(rs, { counters: false })) // the whole text at once
 */
export function drain<T>(work: Sliced<T>): T {
  for (;;) {
    const r = work.next();
    if (r.done) return r.value;
  }
}
