// pattern: Imperative Shell
// What an instructor and a student pass between them without a server: a
// link to a set of challenges (picked in the course's list, in the order
// picked, with a seed for all), the student's results as one code to hand
// in, and the instructor's check of such a code (which challenges it
// proves; a code changed by hand is refused).

import { useId, useState } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import type { ChallengeSummary } from '../../worker/protocol';
import { challengeSetText, type SetItem } from './challenge-set';
import { courseStore, studentCode, verifyCode } from './course-store';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:text-slate-600';
const field = 'min-w-0 flex-1 rounded border border-slate-500 px-2 py-1 font-mono text-sm text-slate-900';

function useCopy(): [string, (text: string) => void] {
  const t = useT();
  const [said, setSaid] = useState('');
  const copy = (text: string) => {
    const done = navigator.clipboard?.writeText(text);
    if (!done) return setSaid(t('course.copyFailed'));
    void done.then(
      () => setSaid(t('course.copied')),
      () => setSaid(t('course.copyFailed')),
    );
  };
  return [said, copy];
}

/** The link that opens the Course view with only these challenges. */
export function setLink(items: readonly SetItem[], seed: number | null): string {
  const base = `${window.location.origin}${window.location.pathname}`;
  return `${base}#course=set:${challengeSetText(items)}${seed !== null ? `&seed=${seed}` : ''}`;
}

/** The picked challenges, in the order picked, and the link made of them. */
export function SetMaker({ picked, list, onClear }: { picked: readonly string[]; list: readonly ChallengeSummary[]; onClear: () => void }) {
  const t = useT();
  const id = useId();
  const [seedText, setSeedText] = useState('');
  const [said, copy] = useCopy();
  const seedOk = seedText === '' || (/^\d{1,10}$/.test(seedText) && Number(seedText) <= 0xffffffff);
  const seed = seedText === '' || !seedOk ? null : Number(seedText);
  const link = picked.length ? setLink(picked.map((x) => ({ id: x, seed: null })), seed) : '';
  const title = (x: string) => list.find((c) => c.id === x)?.title[t.lang] ?? x;
  return (
    <section aria-labelledby={id} className="flex flex-col gap-2 rounded-lg border border-blue-800 bg-blue-50 p-3" data-testid="set-maker">
      <h3 id={id} className="font-semibold text-slate-900">
        {t('course.set.make')}
      </h3>
      <p className="text-sm text-slate-800">{t('course.set.makeHelp')}</p>
      {picked.length > 0 && (
        <ol className="ml-5 list-decimal text-sm text-slate-900" aria-label={t('course.set.picked')}>
          {picked.map((x) => (
            <li key={x}>{title(x)}</li>
          ))}
        </ol>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <label className="text-sm text-slate-800">
          {t('course.set.seed')}{' '}
          <input className="w-28 rounded border border-slate-500 px-1 font-mono" inputMode="numeric" value={seedText} aria-invalid={!seedOk} onChange={(e) => setSeedText(e.target.value.trim())} />
        </label>
        <button type="button" className={btn} disabled={!picked.length || !seedOk} onClick={() => copy(link)}>
          {t('course.set.copy')}
        </button>
        <button type="button" className={btn} disabled={!picked.length} onClick={onClear}>
          {t('course.set.clear')}
        </button>
      </div>
      {!seedOk && <p className="text-sm text-red-900">{t('course.set.badSeed')}</p>}
      {link && <input readOnly className={field} value={link} aria-label={t('course.set.link')} data-testid="set-link" />}
      <p role="status" className="text-sm text-slate-800">
        {said}
      </p>
    </section>
  );
}

/** The student's results as one code to copy, and an instructor's check of a pasted one. */
export function ResultCodes() {
  const { stores } = useDeps();
  const t = useT();
  const id = useId();
  const list = useStore(courseStore(stores), (s) => s.list);
  const records = useStore(courseStore(stores), (s) => s.progress.records.length);
  const verified = useStore(courseStore(stores), (s) => s.verified);
  const [mine, setMine] = useState<string | null>(null);
  const [pasted, setPasted] = useState('');
  const [said, copy] = useCopy();
  const title = (x: string) => list?.find((c) => c.id === x)?.title[t.lang] ?? x;
  return (
    <details className="rounded-lg border border-slate-300 bg-slate-50 p-2">
      <summary className="cursor-pointer font-semibold text-slate-900">{t('course.codes.title')}</summary>
      <div className="mt-2 flex flex-col gap-2">
        <p className="text-sm text-slate-800">{t('course.codes.help')}</p>
        <div className="flex flex-wrap items-center gap-2">
          <button
            type="button"
            className={btn}
            disabled={records === 0}
            onClick={() => {
              const code = studentCode(stores);
              setMine(code);
              copy(code);
            }}
          >
            {t('course.codes.copy')}
          </button>
          <p role="status" className="text-sm text-slate-800">
            {records === 0 ? t('course.codes.nothing') : said}
          </p>
        </div>
        {mine && <input readOnly className={field} value={mine} aria-label={t('course.codes.mine')} data-testid="student-code" />}
        <form
          className="flex flex-wrap items-center gap-2"
          aria-labelledby={id}
          onSubmit={(e) => {
            e.preventDefault();
            verifyCode(stores, pasted);
          }}
        >
          <label id={id} className="flex min-w-0 flex-1 flex-wrap items-center gap-2 text-sm text-slate-800">
            {t('course.codes.paste')}
            <input className={field} value={pasted} onChange={(e) => setPasted(e.target.value)} spellCheck={false} data-testid="verify-input" />
          </label>
          <button type="submit" className={btn} disabled={!pasted.trim()}>
            {t('course.codes.verify')}
          </button>
        </form>
        <div role="status" aria-live="polite" data-testid="verify-result">
          {verified?.ok === false && (
            <p className="text-sm font-semibold text-red-900" data-verified="false">
              {t(`course.codes.bad.${verified.reason}` as MessageKey, { at: verified.at, item: verified.item })}
            </p>
          )}
          {verified?.ok && (
            <>
              <p className="text-sm font-semibold text-green-900" data-verified="true">
                {t('course.codes.good', { passed: verified.results.filter((r) => r.passed).length, n: verified.results.length })}
              </p>
              <ul className="ml-5 list-disc text-sm text-slate-900">
                {verified.results.map((r) => (
                  <li key={r.code} data-proves={r.passed ? r.id : undefined}>
                    {r.passed ? '✓' : '✗'} {title(r.id)} · {t('course.codes.seed', { seed: r.seed })} · {r.passed ? t('course.passed') : t('course.codes.failed')} · {t('course.commandsUsed', { n: r.commands })} · <code className="font-mono">{r.code}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </details>
  );
}
