// pattern: Imperative Shell
// The course on the page: the challenge open beside the walk, what the
// student has asked to see of it (hints, the solution), the last check, and
// the progress this browser keeps (localStorage, like the autosave's
// settings). Everything about a challenge comes from the worker (the page
// never runs the catalog or the checker): its page, each hint when asked
// for, and the goals read off the walk the page shows.

import { createStore, type StoreApi } from 'zustand';
import type { EngineClient, LabChange } from '../../worker/client';
import type { ChallengeCheckResult, ChallengeStage, ChallengeSummary, ChallengeView } from '../../worker/protocol';
import type { Text } from '../../course/types';
import { addRecord, emptyProgress, mergeProgress, progressRecord, readProgress, readSummaryCode, summaryCode, type ProgressFile, type SummaryProblem, type SummaryResult } from '../../course/progress';
import { openScenario } from '../share/links';
import { simulate, type Stores } from '../state/walk-store';
import { doneEdits, solutionText, type EditChange } from './solution-text';

export interface CourseState {
  list: ChallengeSummary[] | null;
  view: ChallengeView | null;
  /** the lab's version when the challenge's start was opened: the student's edits are the ones after it */
  startVersion: number | null;
  hints: Text[];
  /** the reference solution, once asked for */
  solution: string | null;
  /** a predict-the-path choice */
  answer: string | null;
  checking: boolean;
  result: ChallengeCheckResult | null;
  /** the result code of the last check */
  code: string | null;
  /** a challenge the link names that does not exist, or an import that failed: a message key's parameter */
  problem: { kind: 'not-found' | 'import' | 'check'; detail: string } | null;
  progress: ProgressFile;
  imported: number | null;
  /**
   * the attempt's edits before this page's lab took over (kept in storage
   * with the open challenge), so the commands counted survive a reload
   */
  carried: EditChange[];
  /** presenter mode: the reference solution revealed so far, and its goals on the walk shown */
  stage: ChallengeStage | null;
  stageCheck: ChallengeCheckResult | null;
  /** a student's summary code an instructor pasted: the results it holds, or why it is refused */
  verified: { ok: true; results: SummaryResult[] } | { ok: false; reason: SummaryProblem; at: number; item: string } | null;
}

export const PROGRESS_KEY = 'packetwalk.course.progress';
/** the challenge whose start the autosaved scenario is, so a reload does not open its start over the student's work */
export const OPEN_KEY = 'packetwalk.course.open';

function loadProgress(): ProgressFile {
  try {
    const raw = localStorage.getItem(PROGRESS_KEY);
    if (!raw) return emptyProgress();
    const r = readProgress(JSON.parse(raw));
    return r.ok ? r.value : emptyProgress();
  } catch {
    return emptyProgress();
  }
}

function saveProgress(p: ProgressFile): void {
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(p));
  } catch {
    // storage full or refused: the progress stays for this page's life, and export still works
  }
}

const courseStores = new WeakMap<Stores, StoreApi<CourseState>>();

export function courseStore(stores: Stores): StoreApi<CourseState> {
  let s = courseStores.get(stores);
  if (!s) {
    s = createStore<CourseState>()(() => ({ list: null, view: null, startVersion: null, hints: [], solution: null, answer: null, checking: false, result: null, code: null, problem: null, progress: loadProgress(), imported: null, carried: [], stage: null, stageCheck: null, verified: null }));
    courseStores.set(stores, s);
  }
  return s;
}

export async function loadCourse(stores: Stores, client: EngineClient): Promise<ChallengeSummary[]> {
  const have = courseStore(stores).getState().list;
  if (have) return have;
  const list = await client.course();
  courseStore(stores).setState({ list });
  return list;
}

interface OpenRecord {
  id: string;
  seed: number;
  /** the attempt's edits so far, undos already applied */
  edits: EditChange[];
}

function isEdit(x: unknown): x is EditChange {
  const e = x as Partial<EditChange> | null;
  return typeof e === 'object' && e !== null && e.type === 'edit' && typeof e.host === 'string' && Array.isArray(e.texts) && e.texts.every((t) => typeof t === 'string') && typeof e.mode === 'string';
}

function readOpen(): OpenRecord | null {
  try {
    const v = JSON.parse(localStorage.getItem(OPEN_KEY) ?? 'null') as { id?: unknown; seed?: unknown; edits?: unknown } | null;
    if (!v || typeof v.id !== 'string' || typeof v.seed !== 'number') return null;
    // a record written before the edits were kept: the count falls back to the undo depth
    const edits = Array.isArray(v.edits) && v.edits.every(isEdit) ? v.edits : [];
    return { id: v.id, seed: v.seed, edits };
  } catch {
    return null;
  }
}

function writeOpen(v: OpenRecord | null): void {
  try {
    if (v) localStorage.setItem(OPEN_KEY, JSON.stringify(v));
    else localStorage.removeItem(OPEN_KEY);
  } catch {
    // without storage a reload opens the challenge's start again
  }
}

/** The attempt's edits: those carried over a reload, then this lab's since the challenge opened (null: the journal cannot say). */
function attemptChanges(stores: Stores, client: EngineClient): LabChange[] | null {
  const { carried, startVersion } = courseStore(stores).getState();
  const lab = stores.lab.getState().id;
  if (startVersion === null || lab === null) return null;
  const since = client.changesSince(lab, startVersion);
  return since ? [...carried, ...since] : null;
}

const following = new WeakSet<Stores>();

/** Keep the attempt's edits in storage as the lab changes, so a reload counts the same commands. */
function followAttempt(stores: Stores, client: EngineClient): void {
  if (following.has(stores)) return;
  following.add(stores);
  stores.lab.subscribe((s, prev) => {
    if (s.version === prev.version) return;
    const { view } = courseStore(stores).getState();
    const held = readOpen();
    if (!view || held?.id !== view.id || held.seed !== view.seed) return;
    const changes = attemptChanges(stores, client);
    if (changes) writeOpen({ ...held, edits: doneEdits(changes) });
  });
}

/**
 * Open a challenge for a seed: its page beside the walk and its start case
 * as the scenario (the student's work kept aside as a saved version, as the
 * gallery does). `resume`: the page starts with a link to the challenge the
 * autosaved scenario already holds, which is then kept as it is.
 */
export async function openChallenge(stores: Stores, client: EngineClient, id: string, seed: number, opts: { resume?: boolean } = {}): Promise<boolean> {
  const course = courseStore(stores);
  const view = await client.challenge(id, seed);
  if (!view) {
    course.setState({ problem: { kind: 'not-found', detail: id } });
    return false;
  }
  course.setState({ view, hints: [], solution: null, answer: null, result: null, code: null, problem: null, startVersion: null, carried: [], stage: null, stageCheck: null });
  stores.ui.setState({ challenge: { id, seed }, lesson: null });
  followAttempt(stores, client);
  const held = readOpen();
  let carried: EditChange[] = [];
  if (opts.resume && held?.id === id && held.seed === seed) {
    await simulate(stores, client, 'start');
    carried = held.edits;
  } else if (!(await openScenario(stores, client, view.start, { from: 'course' }))) {
    return false;
  }
  writeOpen({ id, seed, edits: carried });
  course.setState({ startVersion: stores.lab.getState().version, carried });
  stores.ui.setState({ screen: 'walk' });
  return true;
}

export function closeChallenge(stores: Stores): void {
  writeOpen(null);
  stores.ui.setState({ challenge: null });
  courseStore(stores).setState({ view: null, result: null, code: null, hints: [], solution: null, carried: [], stage: null, stageCheck: null });
}

export async function revealHint(stores: Stores, client: EngineClient): Promise<void> {
  const course = courseStore(stores);
  const { view, hints } = course.getState();
  if (!view || hints.length >= view.hints) return;
  const hint = await client.reveal(view.id, view.seed, 'hint', hints.length);
  if (hint && course.getState().view === view) course.setState({ hints: [...hints, hint] });
}

export async function revealSolution(stores: Stores, client: EngineClient): Promise<void> {
  const course = courseStore(stores);
  const view = course.getState().view;
  if (!view) return;
  const s = await client.reveal(view.id, view.seed, 'solution', 0);
  if (s && course.getState().view === view) course.setState({ solution: s.en });
}

/**
 * Check the lab: walk the challenge's probes as the page's traffic (so each
 * step a goal names is a step on screen), have the worker read the goals
 * off that walk, and keep the result with its code.
 */
export async function checkChallenge(stores: Stores, client: EngineClient): Promise<ChallengeCheckResult | null> {
  const course = courseStore(stores);
  const { view, answer, startVersion } = course.getState();
  if (!view) return null;
  course.setState({ checking: true, problem: null });
  try {
    const scenario = stores.scenario.getState().scenario;
    stores.scenario.getState().setScenario({ ...scenario, steps: view.start.steps ?? [] });
    await simulate(stores, client, 'start');
    const shown = stores.walk.getState().walk;
    if (shown === null) {
      course.setState({ problem: { kind: 'check', detail: stores.walk.getState().errors.join('; ') } });
      return null;
    }
    const { lab, walk } = shown;
    const changes = startVersion === null ? null : attemptChanges(stores, client);
    // without the journal (the whole case replaced since) the lab's undo history counts the edits
    const solution = changes ? solutionText(changes, answer) : { text: answer !== null ? `# answer: ${answer}\n` : '', commands: stores.lab.getState().past };
    const r = await client.checkChallenge(lab, walk, view.id, view.seed, { commands: solution.commands, answer });
    if (!r.ok) {
      course.setState({ result: r, problem: { kind: 'check', detail: r.error } });
      return r;
    }
    const record = progressRecord(r, solution.text);
    const progress = addRecord(course.getState().progress, record);
    saveProgress(progress);
    course.setState({ result: r, code: record.code, progress });
    return r;
  } finally {
    course.setState({ checking: false });
  }
}

export function progressText(stores: Stores): string {
  return `${JSON.stringify(courseStore(stores).getState().progress, null, 2)}\n`;
}

/** A progress file merged into what this browser keeps; false (with the reason on the store) when it is not one. */
export function importProgress(stores: Stores, text: string): boolean {
  const course = courseStore(stores);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    course.setState({ problem: { kind: 'import', detail: (e as Error).message }, imported: null });
    return false;
  }
  const r = readProgress(json);
  if (!r.ok) {
    course.setState({ problem: { kind: 'import', detail: r.error }, imported: null });
    return false;
  }
  const progress = mergeProgress(course.getState().progress, r.value);
  saveProgress(progress);
  course.setState({ progress, problem: null, imported: r.value.records.length });
  return true;
}

export const selectView = (s: CourseState) => s.view;
export const selectList = (s: CourseState) => s.list;
export const selectProgress = (s: CourseState) => s.progress;

export function showCourse(stores: Stores): void {
  stores.ui.setState({ screen: 'course' });
}

let stageRun = 0;

/**
 * Presenter mode: the challenge's start with the reference solution's first
 * `k` lines applied, walked, and its goals checked on that walk (nothing is
 * recorded as progress). The newest call wins when keys come quickly.
 */
export async function presentReveal(stores: Stores, client: EngineClient, k: number): Promise<void> {
  const course = courseStore(stores);
  const view = course.getState().view;
  if (!view) return;
  const run = ++stageRun;
  const stage = await client.challengeStage(view.id, view.seed, Math.max(0, k));
  if (!stage || run !== stageRun || course.getState().view !== view) return;
  course.setState({ stage, stageCheck: null });
  stores.ui.setState({ challenge: { id: view.id, seed: view.seed, reveal: stage.shown.length } });
  // opened as the course opens a start: the work it replaces stays behind as a version to restore,
  // and a stage nobody edited is overwritten by the next one rather than kept
  if (!(await openScenario(stores, client, stage.case, { from: 'course' })) || run !== stageRun) return;
  const shown = stores.walk.getState().walk;
  if (!shown) {
    course.setState({ stageCheck: { ok: false, error: stores.walk.getState().errors.join('; ') } });
    return;
  }
  const r = await client.checkChallenge(shown.lab, shown.walk, view.id, view.seed, { commands: stage.commands, answer: stage.answer });
  if (run !== stageRun) return;
  // the scenario is now the solution so far: a check after presenter mode counts its lines
  const carried: EditChange[] = stage.shown.flatMap((l) => (l.host === null ? [] : [{ type: 'edit' as const, host: l.host, texts: [l.text], mode: 'command' as const }]));
  writeOpen({ id: view.id, seed: view.seed, edits: carried });
  course.setState({ stageCheck: r, carried, startVersion: stores.lab.getState().version, answer: stage.answer });
}

/** The next line of the reference solution (presenter mode's N). */
export function revealNext(stores: Stores, client: EngineClient): Promise<void> {
  const shown = stores.ui.getState().challenge?.reveal ?? 0;
  const total = courseStore(stores).getState().stage?.total ?? Infinity;
  return shown >= total ? Promise.resolve() : presentReveal(stores, client, shown + 1);
}

/** All of the student's results as one code to hand in. */
export function studentCode(stores: Stores): string {
  return summaryCode(courseStore(stores).getState().progress.records);
}

/** A student's code, pasted by an instructor: which challenges it proves, or why it is refused. */
export function verifyCode(stores: Stores, text: string): void {
  const course = courseStore(stores);
  const known = course.getState().list;
  const r = readSummaryCode(text, known ? new Set(known.map((c) => c.id)) : undefined);
  course.setState({ verified: r.ok ? { ok: true, results: r.value } : { ok: false, reason: r.reason, at: r.at ?? 0, item: r.item ?? '' } });
}
