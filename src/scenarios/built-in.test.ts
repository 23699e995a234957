// The built-in scenario is a Case as the page checks one from outside, and
// one the engine reads without a problem.

import { describe, expect, it } from 'vitest';
import { readCase } from '../engine/scenario/case-file';
import { caseReferenceProblem, checkCase } from '../share/case-shape';
import { BUILT_IN } from './built-in';

describe('the built-in scenario', () => {
  it('has the shape of a case, names only hosts it has, and the engine reads it', () => {
    expect(checkCase(BUILT_IN)).toEqual({ ok: true, value: BUILT_IN });
    expect(caseReferenceProblem(BUILT_IN)).toBeNull();
    expect(readCase(BUILT_IN).diagnostics).toEqual([]);
  });
});
