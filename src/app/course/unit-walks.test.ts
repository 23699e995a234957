// Every unit of the course starts with an explanation in both languages and
// a gallery walk that exists and shows the unit's subject.

import { describe, expect, it } from 'vitest';
import { UNITS } from '../../course/catalog';
import { GALLERY } from '../../gallery';
import { enCourse } from '../i18n/course.en';
import { zhCourse } from '../i18n/course.zh';
import { UNIT_WALKS } from './unit-walks';

describe('the units\' explanations and walks', () => {
  it('cover every unit, in both languages, with a gallery entry that exists', () => {
    expect(UNITS.length).toBe(8);
    for (const unit of UNITS) {
      const key = `course.about.${unit}` as keyof typeof enCourse;
      expect(enCourse[key].length, unit).toBeGreaterThan(200);
      expect((zhCourse as Record<string, string>)[key], unit).toMatch(/[\u4e00-\u9fff]/);
      expect(GALLERY.map((e) => e.id)).toContain(UNIT_WALKS[unit]);
    }
  });

  it('show walks of what the unit teaches', () => {
    const tags = (unit: keyof typeof UNIT_WALKS) => GALLERY.find((e) => e.id === UNIT_WALKS[unit])!.tags;
    expect(tags('nat')).toEqual(expect.arrayContaining(['nat']));
    expect(tags('conntrack')).toEqual(expect.arrayContaining(['conntrack']));
    expect(tags('routing')).toEqual(expect.arrayContaining(['policy-routing']));
  });
});
