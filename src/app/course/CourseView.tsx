// pattern: Imperative Shell
// The course: the notes' units in order, each with its challenges easy to
// hard, what this browser has passed, and the progress as a file to export
// and import. Opening a challenge shows its page beside the walk
// (ChallengePanel) with its start scenario.

import { useEffect, useId, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { ChallengeSummary } from '../../worker/protocol';
import type { UnitId } from '../../course/types';
import { useDeps } from '../shell/context';
import { showScreen } from '../state/walk-store';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import { download } from '../editor/ExportPanel';
import { closeChallenge, courseStore, importProgress, loadCourse, openChallenge, progressText, selectList, selectProgress } from './course-store';
import { openScenario } from '../share/links';
import { readChallengeSet } from './challenge-set';
import { ResultCodes, SetMaker } from './CourseTools';
import { UNIT_WALKS } from './unit-walks';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';
const primary = 'rounded border border-blue-800 bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

/** Units in the order the worker lists their challenges (the catalog's order). */
function byUnit(list: readonly ChallengeSummary[]): [UnitId, ChallengeSummary[]][] {
  const out = new Map<UnitId, ChallengeSummary[]>();
  for (const c of list) out.set(c.unit, [...(out.get(c.unit) ?? []), c]);
  return [...out];
}

function ProgressFiles() {
  const { stores } = useDeps();
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const problem = useStore(courseStore(stores), (s) => s.problem);
  const imported = useStore(courseStore(stores), (s) => s.imported);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className={btn} onClick={() => download('packetwalk-progress.json', progressText(stores), 'application/json')}>
        {t('course.export')}
      </button>
      <button type="button" className={btn} onClick={() => input.current?.click()}>
        {t('course.import')}
      </button>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        className="sr-only"
        tabIndex={-1}
        aria-label={t('course.import')}
        data-testid="progress-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void f.text().then((text) => importProgress(stores, text));
        }}
      />
      <p role="status" className="text-sm text-slate-800">
        {problem?.kind === 'import' ? t('course.importBad', { why: problem.detail }) : imported !== null ? t('course.imported', { n: imported }) : ''}
      </p>
    </div>
  );
}

function UnitIntro({ unit }: { unit: UnitId }) {
  const { stores, client } = useDeps();
  const t = useT();
  const watch = async () => {
    // the gallery's scenarios load only when a walk is asked for
    const { GALLERY } = await import('../../gallery');
    const entry = GALLERY.find((e) => e.id === UNIT_WALKS[unit]);
    if (!entry) return;
    closeChallenge(stores);
    stores.ui.setState({ lesson: entry.id });
    await openScenario(stores, client, entry.scenario, { from: 'gallery' });
    window.scrollTo({ top: 0 });
  };
  return (
    <div className="flex flex-col gap-2 rounded-lg border border-slate-300 bg-white p-2 md:flex-row md:items-start" data-unit-intro={unit}>
      <p className="min-w-0 flex-1 text-base text-slate-900">{t(`course.about.${unit}` as MessageKey)}</p>
      <button type="button" className={btn} onClick={() => void watch()}>
        {t('course.watch')}
        <span className="sr-only">: {t(`course.unit.${unit}` as MessageKey)}</span>
      </button>
    </div>
  );
}

function ChallengeRow({ c, seed, passed, tried, pick }: { c: ChallengeSummary; seed: number; passed: boolean; tried: boolean; pick?: { on: boolean; toggle: () => void } }) {
  const { stores, client } = useDeps();
  const t = useT();
  return (
    <li className="flex flex-wrap items-center gap-2 rounded-lg border border-slate-300 bg-slate-50 p-2" data-challenge={c.id}>
      {pick && (
        <label className="flex items-center">
          <input type="checkbox" checked={pick.on} onChange={pick.toggle} />
          <span className="sr-only">
            {t('course.set.pick')}: {c.title[t.lang]}
          </span>
        </label>
      )}
      <span className="rounded bg-slate-200 px-1.5 text-xs font-medium text-slate-800">{t(`course.level.${c.level}` as MessageKey)}</span>
      <span className="min-w-0 flex-1 text-base text-slate-900">
        {c.title[t.lang]}
        {seed !== 0 && <span className="ml-1 text-sm text-slate-700">({t('course.codes.seed', { seed })})</span>}
      </span>
      {passed ? (
        <span className="rounded bg-green-100 px-1.5 text-xs font-semibold text-green-900" data-progress="passed">
          ✓ {t('course.passed')}
        </span>
      ) : tried ? (
        <span className="rounded bg-amber-100 px-1.5 text-xs font-semibold text-amber-950" data-progress="tried">
          {t('course.tried')}
        </span>
      ) : null}
      <button type="button" className={primary} onClick={() => void openChallenge(stores, client, c.id, seed)}>
        {t('course.open')}
        <span className="sr-only">: {c.title[t.lang]}</span>
      </button>
    </li>
  );
}

/** The Course view a set link opens: only its challenges, in its order, with their seeds; what the link names wrongly is said, the rest opens. */
function SetView({ text, list }: { text: string; list: readonly ChallengeSummary[] }) {
  const { stores } = useDeps();
  const t = useT();
  const id = useId();
  const progress = useStore(courseStore(stores), selectProgress);
  const set = readChallengeSet(text, new Set(list.map((c) => c.id)));
  const rows = set.items.map((item) => {
    const seed = item.seed ?? 0;
    const mine = progress.records.filter((r) => r.id === item.id && r.seed === seed);
    return { c: list.find((c) => c.id === item.id)!, seed, passed: mine.some((r) => r.passed), tried: mine.length > 0 };
  });
  return (
    <section aria-labelledby={id} className="flex flex-col gap-2" data-testid="course-set">
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={id} className="text-lg font-semibold text-slate-900">
          {t('course.set.title')}
        </h3>
        <button type="button" className={`${btn} ml-auto`} onClick={() => stores.ui.setState({ courseSet: null })}>
          {t('course.set.whole')}
        </button>
      </div>
      <p className="font-semibold text-slate-900" data-testid="set-score">
        {t('course.set.score', { passed: rows.filter((r) => r.passed).length, total: rows.length })}
      </p>
      {set.problems.length > 0 && (
        <div role="alert" className="rounded-lg border border-red-700 bg-red-50 px-3 py-2 text-red-900" data-testid="set-problems">
          <p className="font-semibold">{t('course.set.problems')}</p>
          <ul className="ml-5 list-disc text-sm">
            {set.problems.map((p) => (
              <li key={p.at}>{t(`course.set.${p.kind}` as MessageKey, { at: p.at, item: p.item })}</li>
            ))}
          </ul>
        </div>
      )}
      <ol className="grid gap-2 md:grid-cols-2 2xl:grid-cols-3">
        {rows.map((r) => (
          <ChallengeRow key={`${r.c.id}:${r.seed}`} c={r.c} seed={r.seed} passed={r.passed} tried={r.tried} />
        ))}
      </ol>
    </section>
  );
}

export default function CourseView() {
  const { stores, client } = useDeps();
  const t = useT();
  const id = useId();
  const list = useStore(courseStore(stores), selectList);
  const progress = useStore(courseStore(stores), selectProgress);
  const courseSet = useStore(stores.ui, (s) => s.courseSet);
  const [failed, setFailed] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  useEffect(() => {
    loadCourse(stores, client).catch((e: Error) => setFailed(e.message));
  }, [stores, client]);
  const passed = new Set(progress.records.filter((r) => r.passed).map((r) => r.id));
  const tried = new Set(progress.records.map((r) => r.id));
  const toggle = (x: string) => setPicked((p) => (p.includes(x) ? p.filter((y) => y !== x) : [...p, x]));
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3 rounded-lg border border-slate-300 bg-white p-4" data-testid="course">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={id} className="text-xl font-semibold text-slate-900">
          {t('course.title')}
        </h2>
        <p className="text-base text-slate-700">{t('course.intro')}</p>
        <button type="button" className={`${btn} ml-auto`} onClick={() => showScreen(stores, 'walk')}>
          {t('course.back')}
        </button>
      </div>
      {list && courseSet === null && (
        <p className="font-semibold text-slate-900" data-testid="course-score">
          {t('course.score', { passed: list.filter((c) => passed.has(c.id)).length, total: list.length })}
        </p>
      )}
      <ProgressFiles />
      <ResultCodes />
      {failed && <p role="alert">{failed}</p>}
      {!list && !failed && <p className="text-sm text-slate-700">{t('course.loading')}</p>}
      {list && courseSet !== null && <SetView text={courseSet} list={list} />}
      {list && courseSet === null && (
        <>
          <div className="flex flex-wrap items-center gap-2">
            <button type="button" className={btn} aria-pressed={picking} onClick={() => setPicking((v) => !v)}>
              {t('course.set.start')}
            </button>
          </div>
          {picking && <SetMaker picked={picked} list={list} onClear={() => setPicked([])} />}
          {byUnit(list).map(([unit, items]) => (
            <section key={unit} aria-labelledby={`${id}-${unit}`} className="flex flex-col gap-2">
              <h3 id={`${id}-${unit}`} className="text-lg font-semibold text-slate-900">
                {t(`course.unit.${unit}` as MessageKey)}
              </h3>
              <UnitIntro unit={unit} />
              <ol className="grid gap-2 md:grid-cols-2 2xl:grid-cols-3">
                {items.map((c) => (
                  <ChallengeRow key={c.id} c={c} seed={0} passed={passed.has(c.id)} tried={tried.has(c.id)} pick={picking ? { on: picked.includes(c.id), toggle: () => toggle(c.id) } : undefined} />
                ))}
              </ol>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
