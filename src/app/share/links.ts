// pattern: Imperative Shell
// Links in the address bar: `#s=<version>.<codec>.<payload>&step=N&lang=zh`
// (the payload may name a gallery lesson, shown beside the walk).
// On load and on every hashchange a link with a scenario replaces the one
// shown (the user's own work is kept as a saved version first, see
// state/vault.ts; when that is impossible the user chooses); a
// link that cannot be read shows why and changes nothing — the saved work is
// not touched and nothing is simulated. `step` and `lang` alone move the walk
// or switch the language, so an instructor can edit them by hand.
//
// While the app runs the hash mirrors the state: step and lang always, and
// s= as long as the scenario is still the one the link brought (an edit
// drops it, so the address bar never claims a scenario that is not shown).
// The share codec (fflate, zod, the link's schema) is loaded only when a link
// really carries a scenario. What this remembers between events is in the
// app's stores (state/link-state.ts), not in this module.

import type { EngineClient } from '../../worker/client';
import { setLang, langStore } from '../i18n/lang';
import { persistenceOf } from '../state/persistence';
import type { VersionOrigin } from '../state/vault';
import type { OpenOptions } from '../state/link-state';
import { loadScenario, setPresenter, simulate, stepTo, type LinkNotice, type ScenarioSource, type Stores } from '../state/walk-store';
import type { Case } from '../../engine/scenario/case';
import { readHash, writeHash, type HashParams } from './hash';
import { setStepOptions, stepOptions } from '../state/step-options';

const MIRROR_DELAY_MS = 250;

/** When the codec itself cannot be loaded (offline after an update), no SHARE_ERROR_TEXT is at hand. */
const READER_MISSING = {
  en: 'PacketWalk could not load what it needs to read this link. Check the connection and reload the page.',
  zh: 'PacketWalk 无法加载读取此链接所需的程序。请检查网络连接后重新加载页面。',
};

export type { OpenOptions };

const ORIGIN: Record<ScenarioSource, VersionOrigin> = { link: 'link', gallery: 'gallery', course: 'course', file: 'file', version: 'edit' };

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
 * Make `scenario` the app's scenario, keeping the user's work as a saved
 * version first. Used for links, the gallery, imported scenario files and
 * saved versions. False when nothing was replaced because the work could not
 * be kept aside: the notice then offers download, discard and cancel.
 */
export async function openScenario(stores: Stores, client: EngineClient, scenario: Case, opts: OpenOptions): Promise<boolean> {
  const p = persistenceOf(stores);
  const r = p ? await p.replace(scenario, ORIGIN[opts.from], { adopt: opts.adopt, discardCurrent: opts.discard }) : null;
  if (opts.lang) setLang(opts.lang);
  if (r && !r.ok) {
    stores.link.setState({ pending: { scenario, opts } });
    stores.ui.setState({ linkNotice: { kind: 'refused', from: opts.from, problem: r.problem.kind, detail: r.problem.detail }, screen: 'walk' });
    return false;
  }
  stores.link.setState({ pending: null });
  const previous = r?.previous ?? null;
  const unsaved = r !== null && !r.saved.ok && 'problem' in r.saved;
  // the gallery names its lesson before opening; a link brings its own, or none
  stores.ui.setState({ linkNotice: { kind: 'opened', from: opts.from, backup: previous !== null, previous, unsaved }, screen: 'walk', ...(opts.from !== 'gallery' ? { lesson: opts.lesson ?? null } : {}) });
  stores.link.setState({ applied: opts.from === 'link' && opts.linkS !== undefined ? { s: opts.linkS, scenario } : null });
  await loadScenario(stores, client, scenario);
  placeWalk(stores, opts.step, opts.packet);
  return true;
}

/** Bring back the saved version that holds what a link, the gallery or a file replaced. */
export async function restorePreviousWork(stores: Stores, client: EngineClient, id?: string | null): Promise<boolean> {
  const p = persistenceOf(stores);
  const notice = stores.ui.getState().linkNotice;
  const version = id ?? (notice?.kind === 'opened' ? notice.previous : null);
  if (!p || !version) return false;
  const back = await p.read(version);
  if (!back.scenario) return false;
  const r = await p.replace(back.scenario, 'edit', { adopt: version });
  if (!r.ok) {
    stores.link.setState({ pending: { scenario: back.scenario, opts: { from: 'version', adopt: version } } });
    stores.ui.setState({ linkNotice: { kind: 'refused', from: 'version', problem: r.problem.kind, detail: r.problem.detail } });
    return false;
  }
  stores.link.setState({ applied: null });
  stores.ui.setState({ linkNotice: { kind: 'restored' }, lesson: null });
  await loadScenario(stores, client, back.scenario);
  return true;
}

/** The refused replacement, after the user chose to drop the unsaved changes. */
export async function discardAndOpen(stores: Stores, client: EngineClient): Promise<boolean> {
  const pending = stores.link.getState().pending;
  if (!pending) return false;
  return openScenario(stores, client, pending.scenario, { ...pending.opts, discard: true });
}

/** The refused replacement is not wanted after all: the scenario shown stays as it is. */
export function cancelOpen(stores: Stores): void {
  // the gallery names its lesson before opening: it is not the lesson of the scenario kept
  const fromGallery = stores.link.getState().pending?.opts.from === 'gallery';
  stores.link.setState({ pending: null });
  stores.ui.setState({ linkNotice: null, ...(fromGallery ? { lesson: null } : {}) });
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
  return openScenario(stores, client, r.state.scenario, { step: r.state.step, packet: r.state.packet, lang: r.state.lang ?? p.lang ?? undefined, from: 'link', linkS: p.s ?? '', lesson: r.state.lesson });
}

/** by= and collapse=: the step granularity the link's author chose (by event when absent). */
function applyStepOptions(stores: Stores, p: HashParams): void {
  setStepOptions(stores, { granularity: p.by ?? 'event', collapse: p.collapse });
}

/** step=, lang=, by= and collapse= without a new scenario: move the walk, switch the language, step the same way. */
function applyReadable(stores: Stores, p: HashParams): void {
  applyStepOptions(stores, p);
  if (p.lang && p.lang !== langStore.getState().lang) setLang(p.lang);
  if (p.step !== null && p.step !== stores.playback.getState().index) stepTo(stores, p.step);
  if (p.embed !== stores.ui.getState().embed) stores.ui.setState({ embed: p.embed, ...(p.embed ? { presenter: false } : {}) });
}

/** challenge= (and seed=): open that challenge's variant, unless it is the one open; reveal=: presenter mode shows its solution that far. */
async function applyChallenge(stores: Stores, client: EngineClient, p: HashParams, resume: boolean): Promise<boolean> {
  if (p.challenge === null) return false;
  const seed = p.seed ?? 0;
  const open = stores.ui.getState().challenge;
  // the course's store and words load only when a link names a challenge
  const course = await import('../course/course-store');
  if (open?.id !== p.challenge || open.seed !== seed) await course.openChallenge(stores, client, p.challenge, seed, { resume });
  const now = stores.ui.getState().challenge;
  if (p.reveal !== null && now?.id === p.challenge && now.reveal !== p.reveal) {
    setPresenter(stores, true);
    await course.presentReveal(stores, client, p.reveal);
  }
  return true;
}

/** course=set:…: the Course view with only that set of challenges (seed= gives those without their own a seed). */
async function applyCourseSet(stores: Stores, p: HashParams): Promise<void> {
  if (p.course === null) {
    if (stores.ui.getState().courseSet !== null) stores.ui.setState({ courseSet: null });
    return;
  }
  const { withDefaultSeed } = await import('../course/challenge-set');
  const courseSet = withDefaultSeed(p.course, p.challenge === null ? p.seed : null);
  if (courseSet === stores.ui.getState().courseSet) return;
  stores.ui.setState({ courseSet, ...(p.challenge === null ? { screen: 'course' as const } : {}) });
}

async function onHash(stores: Stores, client: EngineClient): Promise<void> {
  // what the user typed wins over a mirror write still waiting
  cancelMirror(stores);
  const hash = window.location.hash;
  const p = readHash(hash);
  if (p.s !== null && p.s !== stores.link.getState().applied?.s) {
    applyStepOptions(stores, p);
    if (await openLink(stores, client, p, hash)) return;
    // a broken link still may say which language to show its message in
    if (p.lang) setLang(p.lang);
    return;
  }
  applyReadable(stores, p);
  await applyCourseSet(stores, p);
  await applyChallenge(stores, client, p, false);
}

function cancelMirror(stores: Stores): void {
  window.clearTimeout(stores.link.getState().mirrorTimer);
  stores.link.setState({ mirrorTimer: undefined });
}

/** Keep step, lang (and s= while it is still true) in the address bar, without adding history entries. */
function mirror(stores: Stores): void {
  const write = () => {
    stores.link.setState({ mirrorTimer: undefined });
    const applied = stores.link.getState().applied;
    const now = readHash(window.location.hash);
    const s = applied && applied.scenario === stores.scenario.getState().scenario ? applied.s : null;
    // a broken link stays in the address bar until the user moves on, so it can be copied into a bug report
    const keepBroken = stores.ui.getState().linkNotice?.kind === 'error' ? now.s : null;
    const index = stores.playback.getState().index;
    const opts = stepOptions(stores).getState();
    const next = writeHash({
      s: s ?? keepBroken,
      step: index >= 0 ? index : null,
      lang: langStore.getState().lang,
      embed: stores.ui.getState().embed,
      by: opts.granularity === 'event' ? null : opts.granularity,
      collapse: opts.collapse,
      challenge: stores.ui.getState().challenge?.id ?? null,
      seed: stores.ui.getState().challenge?.seed ?? null,
      reveal: stores.ui.getState().challenge?.reveal ?? null,
      course: stores.ui.getState().courseSet,
    });
    if (`#${next}` !== window.location.hash) window.history.replaceState(window.history.state, '', `#${next}`);
  };
  const later = () => {
    window.clearTimeout(stores.link.getState().mirrorTimer);
    stores.link.setState({ mirrorTimer: window.setTimeout(write, MIRROR_DELAY_MS) });
  };
  stores.playback.subscribe((s, prev) => s.index !== prev.index && later());
  stores.scenario.subscribe((s, prev) => {
    if (s.scenario === prev.scenario) return;
    const applied = stores.link.getState().applied;
    if (applied && applied.scenario !== s.scenario) stores.link.setState({ applied: null });
    if (!stores.link.getState().applied && readHash(window.location.hash).s !== null && stores.ui.getState().linkNotice?.kind !== 'error') {
      // a link that no longer describes the page (an edit, "Restore my previous work") leaves the
      // address bar at once, so a reload right after cannot open it again over the work
      window.clearTimeout(stores.link.getState().mirrorTimer);
      write();
      return;
    }
    later();
  });
  stores.ui.subscribe((s, prev) => (s.embed !== prev.embed || s.linkNotice !== prev.linkNotice || s.challenge !== prev.challenge || s.courseSet !== prev.courseSet) && later());
  stepOptions(stores).subscribe(later);
  langStore.subscribe((s, prev) => {
    // a language chosen is in the address bar at once: a reload right after it must not bring back
    // the old lang= (a link's lang= wins over the choice kept in this browser, see initLang)
    if (s.lang !== prev.lang) {
      const now = readHash(window.location.hash);
      if (now.lang !== null && now.lang !== s.lang) window.history.replaceState(window.history.state, '', `#${writeHash({ ...now, lang: s.lang })}`);
    }
    later();
  });
}

/**
 * Start-up: open the link in the address bar, or simulate the saved
 * scenario; then follow hash changes.
 */
export function startLinks(stores: Stores, client: EngineClient): HashParams {
  const hash = window.location.hash;
  const p = readHash(hash);
  if (p.embed) stores.ui.setState({ embed: true });
  applyStepOptions(stores, p);
  const first = async () => {
    if (p.s !== null && (await openLink(stores, client, p, hash))) return;
    await applyCourseSet(stores, p);
    // a challenge's link: its start, or (after a reload) the autosaved work on it
    if (p.s === null && (await applyChallenge(stores, client, p, true))) return;
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
