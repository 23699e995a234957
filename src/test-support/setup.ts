// pattern: Imperative Shell
// Every unit test must assert something: a test whose loop ran over an empty
// list, or whose fixture folder was missing, used to pass having checked
// nothing. A test that has nothing to check where it runs says so with
// `it.skipIf(...)` / `ctx.skip()` and is counted as skipped, not passed.
import { beforeEach, expect } from 'vitest';

beforeEach(() => {
  expect.hasAssertions();
});
