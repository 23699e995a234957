// pattern: Imperative Shell
// The three ways work used to be lost, each ending with the work intact and
// a clear message: (1) a link opened while storage is full, (2) two tabs
// editing the same scenario, (3) a scenario too large to keep, exported and
// imported back (also with a byte-order mark, and dropped on the page).
// Storage is made full two ways: IndexedDB's put refusing with
// QuotaExceededError (stubbed before the app starts), and, with IndexedDB
// gone as in some private modes, a localStorage really filled to its quota.

import { readFileSync } from 'node:fs';
import { test, expect, type Page, type Download } from '@playwright/test';
import { encodePayloadV1 } from '../src/share/link';
import type { Case } from '../src/engine/scenario/case';
import { waitForWalk } from './helpers';
import { savedScenario, savedVersions } from './vault';

const builtIn = JSON.parse(readFileSync(new URL('../src/scenarios/port-forward.json', import.meta.url), 'utf8')) as Case;

const withRules = (name: string, rules: string[]) => ({
  ...builtIn,
  name,
  hosts: builtIn.hosts.map((h) => (h.name === 'router' ? { ...h, setup: [...(h.setup ?? []), ...rules] } : h)),
});
const MINE = withRules('my-own-work', ['iptables -A FORWARD -p udp -j DROP']);
const EDITED = withRules('my-own-work', ['iptables -A FORWARD -p udp -j DROP', 'iptables -A FORWARD -p icmp -j DROP']);
const LINKED = { ...builtIn, name: 'from-the-link' };
const linkHash = () => `#s=1.d.${encodePayloadV1(JSON.stringify({ c: LINKED }), 'd')}`;

/**
 * Before the app starts: IndexedDB refuses (QuotaExceededError) any scenario
 * text longer than window.__quotaChars, and the browser reports `quota` bytes
 * as the site's whole allowance.
 */
async function stubIdbQuota(page: Page, quotaChars: number, quotaBytes: number): Promise<void> {
  await page.addInitScript(
    ([chars, bytes]) => {
      const w = window as unknown as { __quotaChars: number };
      w.__quotaChars = chars!;
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
        if (typeof value === 'string' && value.length > w.__quotaChars) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.call(this, value, key);
      };
      Object.defineProperty(navigator.storage, 'estimate', { value: async () => ({ quota: bytes, usage: 0 }) });
    },
    [quotaChars, quotaBytes],
  );
}

const setQuotaChars = (page: Page, n: number) => page.evaluate((x) => ((window as unknown as { __quotaChars: number }).__quotaChars = x), n);

/** Load a scenario as the app's own (what an edit does) and wait for its walk. */
async function show(page: Page, scenario: Case): Promise<void> {
  await page.evaluate((s) => window.__packetwalk!.load(s), scenario);
  await waitForWalk(page);
}

const shownName = (page: Page) => page.evaluate(() => window.__packetwalk!.scenario.name);
const shown = (page: Page) => page.evaluate(() => window.__packetwalk!.scenario);
const downloaded = async (d: Download) => readFileSync((await d.path())!, 'utf8');

test.describe('work is never lost', () => {
  test('(1) storage full, a link opens: the saved work stays and comes back with “Restore my previous work”', async ({ page }) => {
    await stubIdbQuota(page, Number.MAX_SAFE_INTEGER, 500_000_000);
    await page.goto('/');
    await waitForWalk(page);
    await show(page, MINE);
    await expect.poll(() => savedScenario(page)).toEqual(MINE);

    // storage is full from now on: nothing new fits
    await setQuotaChars(page, 0);
    await page.evaluate((h) => (window.location.hash = h), linkHash());
    await expect.poll(() => shownName(page)).toBe('from-the-link');
    const opened = page.getByTestId('scenario-opened');
    await expect(opened).toContainText('Your previous work was kept aside.');
    await expect(opened).toContainText('It could not be saved in this browser; your previous work stays the newest saved version.');
    expect(await savedScenario(page)).toEqual(MINE);

    await opened.getByRole('button', { name: 'Restore my previous work' }).click();
    await expect.poll(() => shown(page)).toEqual(MINE);
    await expect(page.getByRole('status').filter({ hasText: 'Your previous work is back.' })).toBeVisible();
    await page.reload();
    await waitForWalk(page);
    expect(await shown(page)).toEqual(MINE);
  });

  test('(1) storage full with unsaved changes, a link asks first: download, cancel, or discard', async ({ page }) => {
    await stubIdbQuota(page, Number.MAX_SAFE_INTEGER, 500_000_000);
    await page.goto('/');
    await waitForWalk(page);
    await show(page, MINE);
    await expect.poll(() => savedScenario(page)).toEqual(MINE);
    await setQuotaChars(page, 0);
    // an edit that cannot be saved: the user is told why, and what was saved stays
    await show(page, EDITED);
    const persist = page.getByTestId('persist-notice');
    await expect(persist).toHaveAttribute('data-problem', 'quota');
    await expect(persist).toContainText('Browser storage is full: the latest changes');
    expect(await savedScenario(page)).toEqual(MINE);

    await page.evaluate((h) => (window.location.hash = h), linkHash());
    const refused = page.getByTestId('replace-refused');
    await expect(refused).toContainText('This link would replace your scenario, but its latest changes could not be kept aside: browser storage is full. Nothing was changed.');
    expect(await shown(page)).toEqual(EDITED);

    const file = page.waitForEvent('download');
    await refused.getByRole('button', { name: 'Download my scenario' }).click();
    const d = await file;
    expect(d.suggestedFilename()).toBe('my-own-work.json');
    expect(JSON.parse(await downloaded(d))).toEqual(EDITED);
    await expect(refused).toContainText('Downloaded my-own-work.json.');

    await refused.getByRole('button', { name: 'Cancel' }).click();
    await expect(refused).toBeHidden();
    expect(await shown(page)).toEqual(EDITED);

    await page.evaluate(() => (window.location.hash = ''));
    await page.evaluate((h) => (window.location.hash = h), linkHash());
    await page.getByTestId('replace-refused').getByRole('button', { name: 'Discard my changes and open' }).click();
    await expect.poll(() => shownName(page)).toBe('from-the-link');
    // what was saved before the unsaved changes is still there to restore
    await expect(page.getByTestId('scenario-opened')).toContainText('Your previous work was kept aside.');
    expect(await savedScenario(page)).toEqual(MINE);
  });

  test('(1) no IndexedDB and a really full localStorage: the same choice, with the browser’s own quota error', async ({ page }) => {
    await page.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }));
    await page.goto('/');
    await waitForWalk(page);
    await show(page, MINE);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('packetwalk.vault.v2.meta')?.includes('my-own-work') ?? false)).toBe(true);
    // fill localStorage until it refuses, leaving less room than the next save needs
    await page.evaluate(() => {
      let chunk = 'x'.repeat(1_000_000);
      for (let i = 0; chunk.length > 16; ) {
        try {
          localStorage.setItem(`filler.${i}`, chunk);
          i++;
        } catch {
          chunk = chunk.slice(0, chunk.length / 2);
        }
      }
    });
    await show(page, EDITED);
    await expect(page.getByTestId('persist-notice')).toHaveAttribute('data-problem', 'quota');
    await page.evaluate((h) => (window.location.hash = h), linkHash());
    await expect(page.getByTestId('replace-refused')).toHaveAttribute('data-problem', 'quota');
    await page.getByTestId('replace-refused').getByRole('button', { name: 'Cancel' }).click();
    expect(await shown(page)).toEqual(EDITED);
    // making room (here: the filler) lets the work be saved after all
    await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('filler.')).forEach((k) => localStorage.removeItem(k)));
    await show(page, { ...EDITED, description: 'saved at last' });
    await expect(page.getByTestId('persist-notice')).toBeHidden();
    await page.reload();
    await waitForWalk(page);
    expect(await shown(page)).toEqual({ ...EDITED, description: 'saved at last' });
  });

  test('(1) private mode, nothing can be kept: said so, not “too large”; a link still keeps the work in the tab to restore', async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined });
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    });
    await page.goto('/');
    await waitForWalk(page);
    const persist = page.getByTestId('persist-notice');
    await expect(persist).toContainText('This browser does not let PacketWalk keep anything (private browsing, or site data blocked)');
    await expect(persist).not.toContainText('too large');
    await show(page, MINE);
    const file = page.waitForEvent('download');
    await persist.getByRole('button', { name: 'Download the case file' }).click();
    expect(JSON.parse(await downloaded(await file))).toEqual(MINE);

    await page.evaluate((h) => (window.location.hash = h), linkHash());
    await expect.poll(() => shownName(page)).toBe('from-the-link');
    await page.getByTestId('scenario-opened').getByRole('button', { name: 'Restore my previous work' }).click();
    await expect.poll(() => shown(page)).toEqual(MINE);
  });

  test('(2) two tabs: the second is told of the first’s newer save, writes nothing over it, and may keep its own as a copy', async ({ context }) => {
    const first = await context.newPage();
    await first.goto('/');
    await waitForWalk(first);
    await show(first, MINE);
    await expect.poll(() => savedScenario(first)).toEqual(MINE);

    const second = await context.newPage();
    await second.goto('/');
    await waitForWalk(second);
    expect(await shown(second)).toEqual(MINE);

    await show(first, EDITED);
    const notice = second.getByTestId('persist-notice');
    await expect(notice).toHaveAttribute('data-problem', 'conflict');
    await expect(notice).toContainText('Another tab saved newer changes to this scenario at');

    // the second tab edits anyway: nothing of it is written over the first tab's work
    const SECOND = { ...MINE, name: 'second-tab-work' };
    await show(second, SECOND);
    await second.waitForTimeout(1000);
    expect(await savedScenario(first)).toEqual(EDITED);
    await expect(notice).toHaveAttribute('data-problem', 'conflict');

    await notice.getByRole('button', { name: 'Keep this tab’s as a separate copy' }).click();
    await expect(notice).toBeHidden();
    await expect.poll(async () => (await savedVersions(first)).map((v) => v.name).sort()).toEqual(['my-own-work', 'second-tab-work']);
    const versions = await savedVersions(first);
    expect(versions.find((v) => v.name === 'my-own-work')!.scenario).toEqual(EDITED);
    expect(versions.find((v) => v.name === 'second-tab-work')!.scenario).toEqual(SECOND);

    // each tab goes on saving its own document, undisturbed
    await show(first, { ...EDITED, description: 'first again' });
    await show(second, { ...SECOND, description: 'second again' });
    await expect.poll(async () => (await savedVersions(first)).map((v) => v.scenario?.description).sort()).toEqual(['first again', 'second again']);
    await expect(first.getByTestId('persist-notice')).toBeHidden();
    await expect(second.getByTestId('persist-notice')).toBeHidden();
  });

  test('(2) two tabs: the second may load the first tab’s newer work instead', async ({ context }) => {
    const first = await context.newPage();
    await first.goto('/');
    await waitForWalk(first);
    await show(first, MINE);
    await expect.poll(() => savedScenario(first)).toEqual(MINE);
    const second = await context.newPage();
    await second.goto('/');
    await waitForWalk(second);
    await show(first, EDITED);
    const notice = second.getByTestId('persist-notice');
    await notice.getByRole('button', { name: 'Load the newer work' }).click();
    await expect.poll(() => shown(second)).toEqual(EDITED);
    await expect(notice).toBeHidden();
    // now in step: the second tab's next edit is saved, and the first tab is told
    await show(second, { ...EDITED, description: 'from the second tab' });
    await expect.poll(() => savedScenario(first).then((s) => s?.description)).toBe('from the second tab');
    await expect(first.getByTestId('persist-notice')).toHaveAttribute('data-problem', 'conflict');
  });

  test('(3) a scenario too large to keep: the previous save stays, the case file downloads and imports back (also with a BOM, also dropped)', async ({ page }) => {
    test.setTimeout(120_000);
    // this browser keeps at most 200,000 characters (400 kB) in all
    await stubIdbQuota(page, 200_000, 400_000);
    await page.goto('/');
    await waitForWalk(page);
    await show(page, MINE);
    await expect.poll(() => savedScenario(page)).toEqual(MINE);

    const rules = Array.from({ length: 4000 }, (_, i) => `iptables -A FORWARD -s 10.${(i >> 8) & 255}.${i & 255}.0/24 -p tcp --dport ${1000 + i} -j ACCEPT`);
    const BIG = withRules('big-lab', rules);
    await show(page, BIG);
    const persist = page.getByTestId('persist-notice');
    await expect(persist).toHaveAttribute('data-problem', 'too-large');
    await expect(persist).toContainText(/This scenario \(\d+ k characters\) is larger than this browser lets PacketWalk keep/);
    expect(await savedScenario(page)).toEqual(MINE);

    // the notice's download
    let file = page.waitForEvent('download');
    await persist.getByRole('button', { name: 'Download the case file' }).click();
    const fromNotice = await downloaded(await file);
    expect(JSON.parse(fromNotice)).toEqual(BIG);

    // Export → Case file (the engine's canonical case)
    const exp = page.getByRole('region', { name: 'Export' });
    await exp.getByRole('button', { name: 'Case file (.json)' }).click();
    file = page.waitForEvent('download');
    await exp.getByRole('button', { name: 'Download big-lab.json' }).click();
    const fromExport = await downloaded(await file);

    // a reload shows the last save that fitted, and says nothing was lost silently
    await page.reload();
    await waitForWalk(page);
    expect(await shown(page)).toEqual(MINE);

    const imp = page.getByRole('region', { name: 'Import' });
    const importFile = async (name: string, text: string) => {
      await imp.getByLabel('Choose a file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') });
      await expect(imp.getByTestId('scenario-file')).toContainText('This is a PacketWalk scenario (a case file): “big-lab”, 3 hosts.');
      await imp.getByRole('button', { name: 'Open this scenario' }).click();
      await expect.poll(() => shownName(page), { timeout: 30_000 }).toBe('big-lab');
      await waitForWalk(page);
      await expect(page.getByTestId('scenario-opened')).toContainText('Opened the scenario from the file.');
    };
    await importFile('big-lab.json', fromNotice);
    expect(await shown(page)).toEqual(BIG);

    // the engine's export opens to the same configuration
    await show(page, MINE);
    await importFile('big-lab.json', `\uFEFF${fromExport}`);
    const viaExport = (await shown(page)) as typeof BIG;
    expect(viaExport.hosts.find((h) => h.name === 'router')!.setup?.length ?? 0).toBeGreaterThan(0);
    expect(JSON.stringify(viaExport)).toContain('--dport 4999 -j ACCEPT');

    // dropped anywhere on the page
    await show(page, MINE);
    const dt = await page.evaluateHandle((text) => {
      const d = new DataTransfer();
      d.items.add(new File([text], 'big-lab.json', { type: 'application/json' }));
      return d;
    }, fromNotice);
    await page.dispatchEvent('body', 'dragover', { dataTransfer: dt });
    await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
    await expect(imp.getByTestId('scenario-file')).toContainText('“big-lab”');
    await imp.getByRole('button', { name: 'Open this scenario' }).click();
    await expect.poll(() => shownName(page), { timeout: 30_000 }).toBe('big-lab');
    expect(await shown(page)).toEqual(BIG);
  });

  test('a JSON file that is not a scenario is refused with a readable reason, never read as ip output; a pasted BOM is fine', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const imp = page.getByRole('region', { name: 'Import' });
    // a zero-width space where JSON allows none (the browser's file reader already drops one leading BOM)
    await imp.getByLabel('Choose a file').setInputFiles({ name: 'odd.json', mimeType: 'application/json', buffer: Buffer.from('\uFEFF{"name": \u200B"x", "hosts": []}', 'utf8') });
    const refused = imp.getByTestId('scenario-file-refused');
    await expect(refused).toContainText('Nothing was opened: the file is not valid JSON');
    await expect(refused).toContainText('\\u{200B}');
    expect(await refused.textContent()).not.toMatch(/[\p{Cc}\uFEFF\u200B]/u);
    await expect(imp.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();

    // a kernel result is named as such
    await imp.getByLabel('Choose a file').setInputFiles({ name: 'x.kernel.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'nfo-kernel/1', case: 'x', hosts: {}, packets: [] }), 'utf8') });
    await expect(refused).toContainText('this is a kernel result (x.kernel.json), not a scenario');

    // pasted text keeps its byte-order mark (no file reader strips it): still a case file (small files land in the text box too)
    await imp.getByRole('textbox', { name: 'Text to import' }).fill(`\uFEFF${JSON.stringify(MINE)}`);
    await expect(imp.getByTestId('scenario-file')).toContainText('This is a PacketWalk scenario (a case file): “my-own-work”, 3 hosts.');
    await imp.getByRole('button', { name: 'Open this scenario' }).click();
    await expect.poll(() => shown(page)).toEqual(MINE);
  });

  test('a pasted share link opens as the scenario', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const imp = page.getByRole('region', { name: 'Import' });
    await imp.getByRole('textbox', { name: 'Text to import' }).fill(`http://127.0.0.1/${linkHash()}&step=2`);
    await expect(imp.getByTestId('scenario-file')).toContainText('a share link');
    await imp.getByRole('button', { name: 'Open this scenario' }).click();
    await expect.poll(() => shown(page)).toEqual(LINKED);
  });
});
