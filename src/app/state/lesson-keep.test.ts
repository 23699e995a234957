// The open lesson is kept with the name of its scenario and comes back after
// a reload beside that scenario only.

import { describe, expect, it } from 'vitest';
import { createStores } from './walk-store';
import type { KeyValueStore } from './autosave';
import { keepLesson, LESSON_KEY, readKeptLesson } from './lesson-keep';

function memory(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const g04 = { name: 'g04-port-forward', hosts: [{ name: 'a' }] };

describe('the lesson kept across a reload', () => {
  it('is written with its scenario’s name when opened, follows a change of scenario, and goes when closed', () => {
    const storage = memory();
    const s = createStores({ name: 'mine', hosts: [] });
    keepLesson(s, storage);
    // the gallery names the lesson first, then opens its scenario
    s.ui.setState({ lesson: 'g04-port-forward' });
    s.scenario.getState().setScenario(g04);
    expect(readKeptLesson(storage)).toEqual({ lesson: 'g04-port-forward', scenario: 'g04-port-forward' });
    s.ui.setState({ lesson: null });
    expect(storage.data.has(LESSON_KEY)).toBe(false);
  });

  it('comes back beside the same scenario, not beside another', () => {
    const storage = memory();
    storage.setItem(LESSON_KEY, JSON.stringify({ lesson: 'g04-port-forward', scenario: 'g04-port-forward' }));
    const same = createStores(g04);
    keepLesson(same, storage);
    expect(same.ui.getState().lesson).toBe('g04-port-forward');
    const other = createStores({ name: 'mine', hosts: [] });
    keepLesson(other, storage);
    expect(other.ui.getState().lesson).toBeNull();
  });

  it('ignores what is not a kept lesson', () => {
    const storage = memory();
    for (const raw of ['not json', '{"lesson":"<script>","scenario":"x"}', '{"lesson":"g01"}', 'null']) {
      storage.setItem(LESSON_KEY, raw);
      expect(readKeptLesson(storage), raw).toBeNull();
    }
  });
});
