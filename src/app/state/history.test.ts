// Undo/redo walks a list of whole states: every edit can be taken back and
// redone, a new edit drops the redo branch, and the past is bounded.

import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, initHistory, record, redo, replacePresent, undo } from './history';

describe('edit history', () => {
  it('undoes and redoes edits in order', () => {
    let h = initHistory('a');
    h = record(h, 'b');
    h = record(h, 'c');
    expect(h.present).toBe('c');
    h = undo(h);
    expect(h.present).toBe('b');
    h = undo(h);
    expect(h.present).toBe('a');
    expect(canUndo(h)).toBe(false);
    h = redo(h);
    expect(h.present).toBe('b');
    h = redo(h);
    expect(h.present).toBe('c');
    expect(canRedo(h)).toBe(false);
  });

  it('changes nothing when there is nothing to undo or redo', () => {
    const h = initHistory(1);
    expect(undo(h)).toBe(h);
    expect(redo(h)).toBe(h);
    expect(record(h, 1)).toBe(h);
  });

  it('forgets the redo branch when a new edit follows an undo', () => {
    let h = record(record(initHistory('a'), 'b'), 'c');
    h = record(undo(h), 'd');
    expect(h.present).toBe('d');
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe('b');
  });

  it('keeps at most `limit` past states, dropping the oldest', () => {
    let h = initHistory(0);
    for (let i = 1; i <= 10; i++) h = record(h, i, 3);
    expect(h.past).toEqual([7, 8, 9]);
  });

  it('replaces the present without an undo step', () => {
    const h = replacePresent(record(initHistory('a'), 'b'), 'b2');
    expect(h.present).toBe('b2');
    expect(undo(h).present).toBe('a');
    expect(redo(undo(h)).present).toBe('b2');
  });

  it('never mutates the history it is given', () => {
    const h = record(initHistory('a'), 'b');
    const frozen = JSON.stringify(h);
    undo(h);
    redo(undo(h));
    record(h, 'x');
    expect(JSON.stringify(h)).toBe(frozen);
  });
});
