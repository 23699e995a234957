// pattern: Imperative Shell
// The playback bar on a laptop or projector (1280×720, 1366×768), in both
// languages: every control on one row, none hidden, each named for a screen
// reader and reached by Tab, and axe finds nothing wrong in it.

import AxeBuilder from '@axe-core/playwright';
import { test, expect } from '@playwright/test';
import { waitForWalk } from './helpers';

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
] as const;
const NAMES = {
  en: ['Play', 'First step', 'Step back', 'Step forward', 'Last step', 'Slower', 'Faster'],
  zh: ['播放', '第一步', '后退一步', '前进一步', '最后一步', '减速', '加速'],
} as const;

for (const lang of ['en', 'zh'] as const) {
  test(`the playback bar is one row with every control at 1280 and 1366 px (${lang})`, async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.setViewportSize(SIZES[0]);
    await page.goto(`/#lang=${lang}`);
    await waitForWalk(page);
    const bar = page.getByRole('group', { name: lang === 'en' ? 'Playback' : '回放', exact: true });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      // every control is there and named: icons alone carry their name in aria-label
      for (const name of NAMES[lang]) await expect(bar.getByRole('button', { name, exact: true })).toBeVisible();
      await expect(bar.getByRole('slider')).toBeVisible();
      await expect(bar.getByRole('combobox')).toBeVisible();
      await expect(bar.getByRole('checkbox')).toBeVisible();
      // one row: each of the bar's items starts above the bottom of every other
      const boxes = await bar.evaluate((el) => [...el.children].map((c) => c.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom, width: r.width })));
      expect(boxes.length).toBeGreaterThan(8);
      const lowestTop = Math.max(...boxes.map((b) => b.top));
      const highestBottom = Math.min(...boxes.map((b) => b.bottom));
      expect(lowestTop, `the bar wraps at ${size.width}×${size.height}`).toBeLessThan(highestBottom);
      expect(Math.min(...boxes.map((b) => b.width))).toBeGreaterThan(0);
    }
    // keyboard: Tab goes through the buttons in order
    await bar.getByRole('button', { name: NAMES[lang][0], exact: true }).focus();
    for (const name of NAMES[lang].slice(1, 5)) {
      await page.keyboard.press('Tab');
      await expect(bar.getByRole('button', { name, exact: true })).toBeFocused();
    }
    const axe = await new AxeBuilder({ page }).include('[data-sticky-bar]').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
}
