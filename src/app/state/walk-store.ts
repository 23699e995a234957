// pattern: Imperative Shell
// UI state in three zustand stores, each created by a factory (tests make
// their own). Data flows one way: scenario → worker → WalkLog → playback
// index → views. Views select with the module-level selectors below; no
// component computes netfilter behaviour.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { WalkLog, WalkStep } from '../../engine/walk-log';
import type { EngineClient, WalkResult } from '../../worker/client';
import type { ScalingPoint } from '../../worker/protocol';
import type { MessageKey } from '../i18n/i18n';
import { langStore, tFor } from '../i18n/lang';
import { INDEX_SLICE, indexLogInSlices, nextTask } from '../shell/derive';
import { createLabStore, ensureLab, type LabState, type SerializedText } from './lab';
import { createLinkStore, type LinkState } from './link-state';
import { findPlace, stepPlace } from './step-place';
import type { Case, CaseStep } from '../../engine/scenario/case';

export type SimStatus = 'idle' | 'running' | 'ready' | 'error';

export interface KubeState {
  open: boolean;
  /** each mode's walk of the first connection */
  logs: Partial<Record<'iptables' | 'ipvs', WalkLog>>;
  /** rules examined per new connection, by cluster size, as measured so far */
  points: ScalingPoint[];
}

export interface ScenarioState {
  /** the scenario as an oracle case object (shared/oracle/FORMAT.md §1) */
  scenario: Case;
  setScenario(s: Case): void;
  /** added for the editor (issue 4): what the app must tell about the scenario's keeping (autosave) */
  notice: Notice | null;
  /** the scenario's JSON text and fingerprint when the worker made them (state/lab.ts refreshCase); for another object, null or stale */
  serialized: SerializedText | null;
}

/** A notice about keeping the scenario: English text of older code (translated by shell/notices.ts) or a message key. */
export type Notice = string | { key: MessageKey; params?: Record<string, string | number> };

export interface WalkState {
  status: SimStatus;
  log: WalkLog | null;
  /** the worker's id of the walk shown (explain, chain pages and events name it), with its lab */
  walk: { lab: number; walk: number } | null;
  errors: string[];
  /** id of the run whose result is shown; stale answers are ignored */
  runId: number;
}

export interface PlaybackState {
  /** index into log.steps; -1 before the first step */
  index: number;
  playing: boolean;
  /** steps per second */
  speed: number;
}

export interface ViewState {
  /** host whose flow graph is shown; null: follow the packet */
  host: string | null;
  /** filters of the event list */
  filter: { host: string | null; hook: string | null; verdict: string | null };
  /** the chain whose rules are listed, from a clicked node: 'filter INPUT' */
  chain: string | null;
}

/** Added for issue 6: where a replaced scenario came from, and what went wrong with a link. */
export type LinkNotice =
  | {
      kind: 'error';
      error: 'truncated' | 'corrupt' | 'too-large' | 'unsupported-version' | 'invalid' | 'hostile';
      /** what exactly is wrong, in English (the details line) */
      detail: string;
      /** the message in both languages (src/share's SHARE_ERROR_TEXT, carried here so the first screen need not load the codec) */
      text: { en: string; zh: string };
    }
  | {
      kind: 'opened';
      from: ScenarioSource;
      backup: boolean;
      /** the saved version holding the replaced work (state/persistence.ts), null when it was nobody's work */
      previous?: string | null;
      /** the incoming scenario could not be saved (the replaced work stays the newest saved version) */
      unsaved?: boolean;
    }
  /** the user's unsaved work could not be kept aside, so nothing was replaced: download, discard or cancel */
  | { kind: 'refused'; from: ScenarioSource; problem: 'quota' | 'too-large' | 'unavailable' | 'failed'; detail: string }
  | { kind: 'restored' };

/** Where a scenario that replaces the shown one comes from. */
export type ScenarioSource = 'link' | 'gallery' | 'course' | 'file' | 'version';

/** Added for issue 6: which screen and mode the app is in. */
export interface UiState {
  screen: 'walk' | 'gallery' | 'course';
  /** the course's challenge on screen (its page beside the walk), with its seed; `reveal`: presenter mode shows its solution's first lines */
  challenge: { id: string; seed: number; reveal?: number } | null;
  /** `course=set:…`: the Course view shows only these challenges (course/challenge-set.ts's canonical text) */
  courseSet: string | null;
  /** the gallery entry whose explanation and notes are shown beside the walk */
  lesson: string | null;
  presenter: boolean;
  /** `&embed=1`: a read-only walk for course pages */
  embed: boolean;
  /** the Share panel is open */
  share: boolean;
  linkNotice: LinkNotice | null;
  /** bumped whenever a whole scenario is loaded from outside, so forms start again from it */
  loads: number;
}

export interface Stores {
  scenario: StoreApi<ScenarioState>;
  /** the worker's lab that holds the scenario (state/lab.ts) */
  lab: StoreApi<LabState>;
  /** the kube-proxy comparison: open or not, and what the engine answered for it (kept for the page's life) */
  kube: StoreApi<KubeState>;
  walk: StoreApi<WalkState>;
  playback: StoreApi<PlaybackState>;
  view: StoreApi<ViewState>;
  ui: StoreApi<UiState>;
  /** the address bar's link: which one is shown, a replacement waiting for a choice (state/link-state.ts) */
  link: StoreApi<LinkState>;
}

export const SPEEDS = [0.5, 1, 2, 4, 8] as const;

export function createStores(initialScenario: Case): Stores {
  const scenario = createStore<ScenarioState>()((set) => ({
    scenario: initialScenario,
    setScenario: (s) => set({ scenario: s }),
    notice: null,
    serialized: null,
  }));
  const walk = createStore<WalkState>()(() => ({ status: 'idle', log: null, walk: null, errors: [], runId: 0 }));
  const playback = createStore<PlaybackState>()(() => ({ index: -1, playing: false, speed: 1 }));
  const view = createStore<ViewState>()(() => ({ host: null, filter: { host: null, hook: null, verdict: null }, chain: null }));
  const ui = createStore<UiState>()(() => ({ screen: 'walk', challenge: null, courseSet: null, lesson: null, presenter: false, embed: false, share: false, linkNotice: null, loads: 0 }));
  const kube = createStore<KubeState>()(() => ({ open: false, logs: {}, points: [] }));
  return { scenario, lab: createLabStore(), kube, walk, playback, view, ui, link: createLinkStore() };
}

/** The traffic the page shows: the scenario's steps (the packet form adds to them or replaces them). */
export function trafficOf(scenario: Case): CaseStep[] {
  return scenario.steps ?? [];
}

/**
 * Which step the new walk opens at: 'keep' the place on screen where the new
 * walk still has it (state/step-place.ts: edits, undo, redo), the 'start'
 * (a scenario from outside), or the first step of traffic step `traffic`
 * (1-based: the packet just sent).
 */
export type OpenAt = 'keep' | 'start' | { traffic: number };

/**
 * Walk the scenario's traffic in the worker's lab (opened or replaced first
 * when the scenario was set from outside); only the newest run's answer is
 * kept, so editing while a large ruleset walks never shows a stale walk.
 */
export async function simulate(stores: Stores, client: EngineClient, at: OpenAt = 'keep'): Promise<void> {
  const runId = stores.walk.getState().runId + 1;
  stores.walk.setState({ status: 'running', runId });
  try {
    const lab = await ensureLab(stores, client);
    if (stores.walk.getState().runId !== runId) return;
    if (lab === null) {
      stores.walk.setState({ status: 'error', errors: stores.lab.getState().refused ?? [] });
      return;
    }
    // 'walk': a newer walk replaces this one in the worker's queue (app/shell/walk-guard.ts marks these)
    const r = await client.send(lab, trafficOf(stores.scenario.getState().scenario), false, { supersede: 'walk' });
    await present(stores, lab, r, runId, at);
  } catch (e) {
    if (stores.walk.getState().runId !== runId) return;
    stores.walk.setState({ status: 'error', errors: [(e as Error).message] });
  }
}

/** The index a new walk opens at (see OpenAt); `shown` and `index`: the walk and step on screen before it. */
export function openIndex(log: WalkLog, at: OpenAt, shown: WalkLog | null, index: number): number {
  if (log.steps.length === 0) return -1;
  if (at === 'start') return 0;
  if (at === 'keep') return findPlace(log, stepPlace(shown, index));
  const sent = log.scenarioSteps.find((s) => s.n === at.traffic);
  return sent && sent.firstStep < log.steps.length ? sent.firstStep : 0;
}

/** Show a walk of run `runId`, unless a newer run began meanwhile, at the step `at` says. */
async function present(stores: Stores, lab: number, r: WalkResult, runId: number, at: OpenAt): Promise<void> {
  if (stores.walk.getState().runId !== runId) return;
  if (r.ok && r.log.steps.length > INDEX_SLICE) {
    // the views' index of a long log (a walk the work budget stopped: up to 300,000 steps) is
    // built a slice at a time before the log is shown, so no single task freezes the page
    await indexLogInSlices(r.log, tFor(langStore.getState().lang), nextTask);
    if (stores.walk.getState().runId !== runId) return;
  }
  if (r.ok) {
    // the place on screen when the answer comes: stepping while the walk ran counts
    const index = openIndex(r.log, at, stores.walk.getState().log, stores.playback.getState().index);
    stores.walk.setState({ status: 'ready', log: r.log, walk: { lab, walk: r.walk }, errors: [] });
    stores.playback.setState({ index, playing: false });
  } else {
    stores.walk.setState({ status: 'error', errors: r.errors });
  }
}

/** The walk as it stands when an edit is sent: the run an edit's own walk replaces. */
export const walkRun = (stores: Stores): number => stores.walk.getState().runId;

/**
 * Show the walk that came back with an edit (client.edit's `walk`), begun
 * when the walk on screen was run `before`, on the step the user was
 * looking at where the new walk still has it. A walk asked for after the
 * edit was sent (Send packet meanwhile) ran on the edited lab too and is
 * newer: it is shown instead.
 */
export function presentEditWalk(stores: Stores, lab: number, r: WalkResult, before: number): Promise<void> {
  if (walkRun(stores) !== before) return Promise.resolve();
  const runId = before + 1;
  stores.walk.setState({ runId });
  return present(stores, lab, r, runId, 'keep');
}

// ---------------------------------------------------------------- playback reducers

export function stepTo(stores: Stores, index: number): void {
  const n = stores.walk.getState().log?.steps.length ?? 0;
  stores.playback.setState({ index: Math.max(n ? 0 : -1, Math.min(n - 1, index)) });
}

export function stepForward(stores: Stores): void {
  const { index } = stores.playback.getState();
  const n = stores.walk.getState().log?.steps.length ?? 0;
  if (index >= n - 1) stores.playback.setState({ playing: false });
  else stepTo(stores, index + 1);
}

export function stepBack(stores: Stores): void {
  stepTo(stores, stores.playback.getState().index - 1);
}

export function changeSpeed(stores: Stores, dir: 1 | -1): void {
  const i = SPEEDS.indexOf(stores.playback.getState().speed as (typeof SPEEDS)[number]);
  const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 1 : i) + dir))]!;
  stores.playback.setState({ speed: next });
}

// ---------------------------------------------------------------- selectors

export const selectLog = (s: WalkState) => s.log;
export const selectWalkId = (s: WalkState) => s.walk;
export const selectStatus = (s: WalkState) => s.status;
export const selectIndex = (s: PlaybackState) => s.index;

/** The current step, or null before the first. */
export function currentStep(log: WalkLog | null, index: number): WalkStep | null {
  return log && index >= 0 ? log.steps[index] ?? null : null;
}

/** The host whose graph is shown: the chosen one, else the current step's. */
export function shownHost(log: WalkLog | null, index: number, chosen: string | null): string | null {
  return chosen ?? currentStep(log, index)?.host ?? log?.hosts[0]?.name ?? null;
}

// ---------------------------------------------------------------- app shell reducers
// Added for the shell (issue 3): sending a packet, play/pause, view choices.

/** One traffic step of a case (FORMAT.md §1.2), as the packet form builds it. */
export type TrafficStep = CaseStep;

/**
 * 'add': the packets go after the traffic already there, so they meet the
 * conntrack entries, IPVS connections and scheduler state, and the
 * neighbour entries, the earlier ones left (the walk replays the earlier
 * traffic: every walk is deterministic from the configuration). 'replace':
 * the scenario's traffic is these packets alone, from empty state.
 */
export type SendMode = 'add' | 'replace';

/** The most traffic steps a scenario holds: what a share link carries (src/share/schema.ts LIMITS.steps). */
export const MAX_TRAFFIC = 100;

/**
 * Send packets (one traffic step each) and re-simulate: hosts, links and
 * listeners stay as they are, so the user's packets meet the same rules.
 * The walk opens at the first of the packets sent.
 */
export function sendPacket(stores: Stores, client: EngineClient, steps: TrafficStep | readonly TrafficStep[], mode: SendMode = 'replace'): Promise<void> {
  const sent = Array.isArray(steps) ? [...(steps as readonly TrafficStep[])] : [steps as TrafficStep];
  const base = stores.scenario.getState().scenario;
  const before = mode === 'add' ? trafficOf(base) : [];
  stores.scenario.getState().setScenario({ ...base, steps: [...before, ...sent] });
  stores.view.setState({ chain: null });
  return simulate(stores, client, { traffic: before.length + 1 });
}

/** Load a whole case (tests, future scenario editor) and simulate it. */
export function loadScenario(stores: Stores, client: EngineClient, scenario: Case): Promise<void> {
  stores.scenario.getState().setScenario(scenario);
  stores.ui.setState({ loads: stores.ui.getState().loads + 1 });
  stores.view.setState({ host: null, chain: null, filter: { host: null, hook: null, verdict: null } });
  return simulate(stores, client, 'start');
}

/** Play from where we are; at the end, play starts over from the first step. */
export function togglePlay(stores: Stores): void {
  const { playing, index } = stores.playback.getState();
  if (playing) {
    stores.playback.setState({ playing: false });
    return;
  }
  const n = stores.walk.getState().log?.steps.length ?? 0;
  if (n === 0) return;
  stores.playback.setState({ playing: true, index: index >= n - 1 ? 0 : index });
}

export function stepToEnd(stores: Stores, end: 'first' | 'last'): void {
  stepTo(stores, end === 'first' ? 0 : Number.MAX_SAFE_INTEGER);
}

/** Show one host's graph (null: follow the packet). */
export function showHost(stores: Stores, host: string | null): void {
  stores.view.setState({ host, chain: null });
}

export function chooseChain(stores: Stores, chain: string | null): void {
  stores.view.setState({ chain });
}

export function setFilter(stores: Stores, key: keyof ViewState['filter'], value: string | null): void {
  stores.view.setState({ filter: { ...stores.view.getState().filter, [key]: value } });
}

export const selectErrors = (s: WalkState) => s.errors;
export const selectPlaying = (s: PlaybackState) => s.playing;
export const selectSpeed = (s: PlaybackState) => s.speed;
export const selectScenario = (s: ScenarioState) => s.scenario;
export const selectNotice = (s: ScenarioState) => s.notice;
export const selectChosenHost = (s: ViewState) => s.host;
export const selectViewChain = (s: ViewState) => s.chain;
export const selectFilter = (s: ViewState) => s.filter;

// ---------------------------------------------------------------- issue 6: modes and screens

export const selectScreen = (s: UiState) => s.screen;
export const selectKubeOpen = (s: KubeState) => s.open;
export const selectLesson = (s: UiState) => s.lesson;
export const selectChallenge = (s: UiState) => s.challenge;
export const selectPresenter = (s: UiState) => s.presenter;
export const selectEmbed = (s: UiState) => s.embed;
export const selectShareOpen = (s: UiState) => s.share;
export const selectLinkNotice = (s: UiState) => s.linkNotice;
export const selectLoads = (s: UiState) => s.loads;

/** Presenter mode on or off; an embedded walk has no presenter mode. */
export function setPresenter(stores: Stores, on: boolean): void {
  const ui = stores.ui.getState();
  if (ui.embed && on) return;
  // leaving presenter mode leaves the solution's reveal (the walk stays as it is)
  const challenge = !on && ui.challenge?.reveal !== undefined ? { id: ui.challenge.id, seed: ui.challenge.seed } : ui.challenge;
  if (ui.presenter !== on) stores.ui.setState({ presenter: on, share: false, challenge });
}

export function showScreen(stores: Stores, screen: UiState['screen']): void {
  stores.ui.setState({ screen });
}
