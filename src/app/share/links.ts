// pattern: Imperative Shell
// Links in the address bar: `#s=<version>.<codec>.<payload>&step=N&lang=zh`.
// On load and on every hashchange a link with a scenario replaces the one
// shown (the user's own work is copied aside first, see state/backup.ts); a
// link that cannot be read shows why and changes nothing — the saved work is
// not touched and nothing is simulated. `step` and `lang` alone move the walk
// or switch the language, so an instructor can edit them by hand.
//
// While the app runs the hash mirrors the state: step and lang always, and
// s= as long as the scenario is still the one the link brought (an edit
// drops it, so the address bar never claims a scenario that is not shown).
// The share codec (fflate, zod, the engine's case reader) is loaded only when
// a link really carries a scenario.

import builtIn from '../../scenarios/port-forward.json';
import type { EngineClient } from '../../worker/client';
import { setLang, langStore } from '../i18n/lang';
import { backupBeforeReplace, dropBackup, readBackup } from '../state/backup';
import type { KeyValueStore } from '../state/autosave';
import { loadScenario, simulate, stepTo, type LinkNotice, type Stores } from '../state/walk-store';
import { readHash, writeHash, type HashParams } from './hash';

const MIRROR_DELAY_MS = 250;

/** When the codec itself cannot be loaded (offline after an update), no SHARE_ERROR_TEXT is at hand. */
const READER_MISSING = {
  en: 'PacketWalk could not load what it needs to read this link. Check the connection and reload the page.',
  zh: 'PacketWalk 无法加载读取此链接所需的程序。请检查网络连接后重新加载页面。',
};

function browserStorage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The s= value of the link whose scenario is shown, and that scenario (by identity). */
let applied: { s: string; scenario: Record<string, unknown> } | null = null;

export interface OpenOptions {
  step?: number | undefined;
  packet?: number | undefined;
  lang?: 'en' | 'zh' | undefined;
  from: 'link' | 'gallery';
}

/** Go to the step a link names, or else to the first step of its packet. */
function placeWalk(stores: Stores, step: number | undefined, packet: number | undefined): void {
  const log = stores.walk.getState().log;
  if (!log || stores.walk.getState().status !== 'ready') return;
  if (step !== undefined) stepTo(stores, step);
  else if (packet !== undefined) {
    const p = log.packets.find((x) => x.id === packet);
    if (p) stepTo(stores, p.firstStep);
  }
}

/**
 * Make `scenario` the app's scenario, keeping the user's work aside first.
 * Used for links and for the gallery.
 */
export async function openScenario(stores: Stores, client: EngineClient, scenario: Record<string, unknown>, opts: OpenOptions): Promise<void> {
  const storage = browserStorage();
  const backup = backupBeforeReplace(storage, stores.scenario.getState().scenario, scenario, [builtIn]);
  if (opts.lang) setLang(opts.lang);
  stores.ui.setState({ linkNotice: { kind: 'opened', from: opts.from, backup }, screen: 'walk', ...(opts.from === 'link' ? { lesson: null } : {}) });
  await loadScenario(stores, client, scenario);
  placeWalk(stores, opts.step, opts.packet);
}

/** Bring back what was kept aside when a link or the gallery replaced the scenario. */
export async function restorePreviousWork(stores: Stores, client: EngineClient): Promise<boolean> {
  const storage = browserStorage();
  const previous = readBackup(storage);
  if (!previous) return false;
  dropBackup(storage);
  applied = null;
  stores.ui.setState({ linkNotice: { kind: 'restored' }, lesson: null });
  await loadScenario(stores, client, previous);
  return true;
}

export function dismissLinkNotice(stores: Stores): void {
  stores.ui.setState({ linkNotice: null });
}

function showError(stores: Stores, error: Extract<LinkNotice, { kind: 'error' }>): void {
  stores.ui.setState({ linkNotice: error });
}

/** Read a link with a scenario; true when it was opened. */
async function openLink(stores: Stores, client: EngineClient, p: HashParams, hash: string): Promise<boolean> {
  let mod: typeof import('../../share/link');
  try {
    mod = await import('../../share/link');
  } catch (e) {
    showError(stores, { kind: 'error', error: 'corrupt', detail: `the link reader could not be loaded (${(e as Error).message})`, text: READER_MISSING });
    return false;
  }
  // the hash as it was when it arrived: the address bar may have moved on while the codec loaded
  const r = mod.decodeShare(hash);
  if (!r.ok) {
    showError(stores, { kind: 'error', error: r.error.kind, detail: r.error.detail, text: mod.SHARE_ERROR_TEXT[r.error.kind] });
    return false;
  }
  const scenario = r.state.scenario as unknown as Record<string, unknown>;
  await openScenario(stores, client, scenario, { step: r.state.step, packet: r.state.packet, lang: r.state.lang ?? p.lang ?? undefined, from: 'link' });
  applied = { s: p.s ?? '', scenario };
  return true;
}

/** step= and lang= without a new scenario: move the walk, switch the language. */
function applyReadable(stores: Stores, p: HashParams): void {
  if (p.lang && p.lang !== langStore.getState().lang) setLang(p.lang);
  if (p.step !== null && p.step !== stores.playback.getState().index) stepTo(stores, p.step);
  if (p.embed !== stores.ui.getState().embed) stores.ui.setState({ embed: p.embed, ...(p.embed ? { presenter: false } : {}) });
}

async function onHash(stores: Stores, client: EngineClient): Promise<void> {
  // what the user typed wins over a mirror write still waiting
  cancelMirror();
  const hash = window.location.hash;
  const p = readHash(hash);
  if (p.s !== null && p.s !== applied?.s) {
    if (await openLink(stores, client, p, hash)) return;
    // a broken link still may say which language to show its message in
    if (p.lang) setLang(p.lang);
    return;
  }
  applyReadable(stores, p);
}

let cancelMirror: () => void = () => undefined;

/** Keep step, lang (and s= while it is still true) in the address bar, without adding history entries. */
function mirror(stores: Stores): void {
  let timer: number | undefined;
  cancelMirror = () => window.clearTimeout(timer);
  const write = () => {
    timer = undefined;
    const now = readHash(window.location.hash);
    const s = applied && applied.scenario === stores.scenario.getState().scenario ? applied.s : null;
    // a broken link stays in the address bar until the user moves on, so it can be copied into a bug report
    const keepBroken = stores.ui.getState().linkNotice?.kind === 'error' ? now.s : null;
    const index = stores.playback.getState().index;
    const next = writeHash({ s: s ?? keepBroken, step: index >= 0 ? index : null, lang: langStore.getState().lang, embed: stores.ui.getState().embed });
    if (`#${next}` !== window.location.hash) window.history.replaceState(window.history.state, '', `#${next}`);
  };
  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(write, MIRROR_DELAY_MS);
  };
  stores.playback.subscribe((s, prev) => s.index !== prev.index && later());
  stores.scenario.subscribe((s, prev) => {
    if (s.scenario === prev.scenario) return;
    if (applied && applied.scenario !== s.scenario) applied = null;
    later();
  });
  stores.ui.subscribe((s, prev) => (s.embed !== prev.embed || s.linkNotice !== prev.linkNotice) && later());
  langStore.subscribe(later);
}

/**
 * Start-up: open the link in the address bar, or simulate the saved
 * scenario; then follow hash changes.
 */
export function startLinks(stores: Stores, client: EngineClient): HashParams {
  const hash = window.location.hash;
  const p = readHash(hash);
  if (p.embed) stores.ui.setState({ embed: true });
  const first = async () => {
    if (p.s !== null && (await openLink(stores, client, p, hash))) return;
    // no link, or a broken one: the saved (or built-in) scenario, untouched
    await simulate(stores, client);
    if (p.s === null && p.step !== null) stepTo(stores, p.step);
  };
  void first().then(() => {
    mirror(stores);
    window.addEventListener('hashchange', () => void onHash(stores, client));
  });
  return p;
}

/** For tests: forget which link is applied. */
export function resetLinksForTests(): void {
  applied = null;
}
