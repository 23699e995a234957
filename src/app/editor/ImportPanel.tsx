// pattern: Imperative Shell
// Import what real machines print: iptables-save output (loaded as
// iptables-restore input, any size: the worker does the work while the page
// stays responsive) or `ip route/rule/addr/link show` output. Skipped lines
// and errors are listed with their line numbers. The app's own scenario
// files (a case file, a share link) are recognised and opened as the whole
// scenario instead (ScenarioFile.tsx); files may be dropped anywhere. A text
// too large for the text box (a file, or a paste: 50,000 lines laid out in a
// textarea freeze the page for seconds) is kept aside and only counted; a
// running import can be stopped.
//
// A paste is read with the clipboard API after the event: the event's own
// getData of megabytes is one main-thread task of 50-200 ms, the promise's
// read is done by the browser off the page's tasks. The page then puts the
// text where the browser would have (an undoable edit in the box, or kept
// aside when too large); a browser that refuses the read gets the event's
// read from then on. Everything that reads the whole text (is it a scenario
// file, which format, how many lines) is worked out in a background render
// after it. The text itself is in state from then on: nothing the user does
// meanwhile can lose it.

import { memo, useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { PositionedDiagnostic } from '../../worker/protocol';
import { Panel } from '../panels/Panel';
import { countLines, detectFormat, placePaste, type ImportFormat } from './import-text';
import { applyText, selectBusy } from './session';
import { DiagnosticList, Field, HostSelect, btnCls, inputCls, primaryCls, useEditorHost, useSession } from './ui';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import { ScenarioFileBox, usePageFileDrop } from './ScenarioFile';
import { readScenarioFile, type ScenarioFile } from '../state/scenario-file';

/** Bigger texts are kept aside instead of in the text box, whose layout of them is slow (100 kB: about 2,000 lines). */
const SHOW_IN_BOX = 100_000;
const MAX_SHOWN_PROBLEMS = 30;

type Outcome =
  | { ok: 'stopped' }
  | { ok: 'refused' }
  | { ok: true; host: string; lines: number; format: ImportFormat; ms: number; skipped: { line: number; reason: string }[]; notes: PositionedDiagnostic[] }
  | { ok: false; text: string; diagnostics: PositionedDiagnostic[] };

const FORMAT_LABEL: Record<ImportFormat, MessageKey> = {
  restore: 'import.fmt.restore',
  'restore-noflush': 'import.fmt.noflush',
  'import-ip': 'import.fmt.ip',
};


/** What a text to import is, read from all of it: worked out once per text. */
interface TextFacts {
  found: ScenarioFile;
  /** the text without a byte-order mark */
  source: string;
  detected: ImportFormat;
  lines: number;
}

/**
 * One number format per language, made once: toLocaleString makes a formatter on every call,
 * and the first one loads the locale's data (tens of ms on a busy machine, inside the paste).
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: string): Intl.NumberFormat {
  const locale = lang === 'zh' ? 'zh-CN' : 'en';
  let f = numberFormats.get(locale);
  if (!f) numberFormats.set(locale, (f = new Intl.NumberFormat(locale)));
  return f;
}

function factsOf(raw: string): TextFacts {
  const found = readScenarioFile(raw);
  // a byte-order mark is not part of any line
  const source = found.kind === 'text' ? found.text : raw;
  return { found, source, detected: detectFormat(source), lines: countLines(source) };
}

export const ImportPanel = memo(function ImportPanel() {
  const session = useSession();
  const busy = useStore(session.store, selectBusy);
  const [host] = useEditorHost();
  const [format, setFormat] = useState<'auto' | ImportFormat>('auto');
  const [text, setText] = useState('');
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const helpId = useId();
  const t = useT();
  const num = (n: number) => numberFormat(t.lang).format(n);
  // Made when the reader comes to the panel (a pointer over it, focus in it, a file dragged in), so
  // neither the first paste that shows a count nor the page's start (the panel is below the first
  // screen, and this is a long task on a phone) pays for the locale's data.
  const warmNumbers = () => void numberFormat(t.lang);

  useEffect(() => {
    if (!busy) return;
    const t = window.setInterval(() => setNow(Date.now()), 200);
    return () => window.clearInterval(t);
  }, [busy]);

  const raw = file?.text ?? text;
  // a large text is read in a background render (urgent renders reuse the last answer); any text
  // once: the panel re-renders every 200 ms while an import runs
  const settled = useDeferredValue(raw);
  const reading = raw.length > SHOW_IN_BOX ? settled : raw;
  const shown = useMemo(() => factsOf(reading), [reading]);
  const { found, source, detected, lines } = shown;
  const counted = reading === raw;
  const stop = useRef<AbortController | null>(null);

  const onFile = async (f: File | undefined) => {
    if (!f) return;
    const t = await f.text();
    if (t.length > SHOW_IN_BOX) {
      setFile({ name: f.name, text: t });
      setText('');
    } else {
      setFile(null);
      setText(t);
    }
    setOutcome(null);
  };
  const panel = useRef<HTMLDivElement>(null);
  usePageFileDrop((f) => void onFile(f), panel);

  const run = async () => {
    const started = performance.now();
    // the text as it is now, even if the background render has not read it yet
    const facts = counted ? shown : factsOf(raw);
    const chosen: ImportFormat = format === 'auto' ? facts.detected : format;
    const ac = new AbortController();
    stop.current = ac;
    const r = await applyText(session, host, facts.source, chosen, { what: chosen === 'import-ip' ? t('import.whatIp', { host }) : t('import.whatRestore', { host }), lines: facts.lines }, ac.signal);
    stop.current = null;
    if (ac.signal.aborted) setOutcome({ ok: 'stopped' });
    else if (r.ok) setOutcome({ ok: true, host, lines: facts.lines, format: chosen, ms: performance.now() - started, skipped: r.skipped ?? [], notes: r.diagnostics });
    else setOutcome({ ok: false, text: facts.source, diagnostics: r.diagnostics });
  };

  // false once the browser refuses a read in a paste event (the permission it wants is not asked for)
  const readLater = useRef(typeof navigator.clipboard?.readText === 'function');
  // a middle click pastes the primary selection, which readText does not read
  const middleClick = useRef(false);
  const onMiddleClick = (e: React.MouseEvent) => {
    if (e.button !== 1) return;
    middleClick.current = true;
    window.setTimeout(() => (middleClick.current = false), 0);
  };

  /** A paste read after its event goes where the browser would have put it, at the selection as it is now. */
  const placeLater = (box: HTMLTextAreaElement, pasted: string) => {
    // a file chosen or opened meanwhile replaced the box, as it would have replaced the pasted text
    if (!pasted || !box.isConnected) return;
    const at = placePaste(box.value, box.selectionStart, box.selectionEnd, pasted, SHOW_IN_BOX);
    setOutcome(null);
    if (at.into === 'aside') {
      setFile({ name: t('import.pasted'), text: at.text });
      setText('');
      return;
    }
    // an edit the user can undo, as a paste is
    if (document.activeElement === box && document.execCommand('insertText', false, pasted)) return;
    setText(at.text);
    requestAnimationFrame(() => box.setSelectionRange(at.caret, at.caret));
  };

  /** A paste too large for the box is kept aside, like a large file, where the browser would have put it. */
  const onPaste = (e: React.ClipboardEvent<HTMLTextAreaElement>) => {
    const box = e.currentTarget;
    if (readLater.current && !middleClick.current && e.clipboardData.types.includes('text/plain')) {
      e.preventDefault();
      navigator.clipboard.readText().then(
        (pasted) => placeLater(box, pasted),
        () => {
          readLater.current = false;
          setOutcome({ ok: 'refused' });
        },
      );
      return;
    }
    const pasted = e.clipboardData.getData('text/plain');
    if (text.length + pasted.length <= SHOW_IN_BOX) return;
    e.preventDefault();
    setFile({ name: t('import.pasted'), text: text.slice(0, box.selectionStart) + pasted + text.slice(box.selectionEnd) });
    setText('');
    setOutcome(null);
  };

  const errors = outcome && outcome.ok === false ? outcome.diagnostics.filter((d) => d.severity === 'error') : [];
  return (
    <Panel title={t('import.title')} className="min-h-[20rem]">
      <div ref={panel} className="flex flex-col gap-2" onPointerEnter={warmNumbers} onFocus={warmNumbers} onDragEnter={warmNumbers}>
        <p id={helpId} className="text-sm text-slate-700">
          {t('import.help')} <code className="font-mono">iptables-save</code>, <code className="font-mono">ip route show [table all]</code>, <code className="font-mono">ip rule show</code>,{' '}
          <code className="font-mono">ip -4 addr show</code>, <code className="font-mono">ip link show</code>.
        </p>
        <div className="flex flex-wrap items-end gap-3">
          <HostSelect label={t('import.into')} />
          <Field label={t('import.format')}>
            {(id) => (
              <select id={id} className={inputCls} value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
                <option value="auto">{t('import.detect', { format: t(FORMAT_LABEL[detected]) })}</option>
                {(Object.keys(FORMAT_LABEL) as ImportFormat[]).map((f) => (
                  <option key={f} value={f}>
                    {t(FORMAT_LABEL[f])}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('import.file')}>{(id) => <input id={id} type="file" className="text-sm text-slate-900 file:mr-2 file:rounded file:border file:border-slate-500 file:bg-white file:px-2 file:py-1" onChange={(e) => void onFile(e.target.files?.[0])} />}</Field>
        </div>
        {file ? (
          <p className="flex flex-wrap items-center gap-2 rounded border border-slate-300 bg-slate-50 px-2 py-1 text-sm">
            <span>
              <strong className="font-mono">{file.name}</strong>: {t('import.fileReady', { n: counted ? num(lines) : '…' })}
            </span>
            <button type="button" className={btnCls} onClick={() => setFile(null)}>
              {t('import.clearFile')}
            </button>
          </p>
        ) : (
          <textarea
            aria-label={t('import.text')}
            aria-describedby={helpId}
            className={`${inputCls} h-40 font-mono text-[13px]`}
            spellCheck={false}
            value={text}
            placeholder={'*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT'}
            onChange={(e) => {
              setText(e.target.value);
              setOutcome(null);
            }}
            onPaste={onPaste}
            onMouseDown={onMiddleClick}
            onMouseUp={onMiddleClick}
          />
        )}
        <ScenarioFileBox
          found={found}
          onOpened={() => {
            setFile(null);
            setText('');
          }}
        />
        <div className="flex flex-wrap items-center gap-3">
          <button type="button" className={primaryCls} disabled={!source.trim() || busy !== null || !host || found.kind !== 'text'} onClick={() => void run()}>
            {t('import.button')}
          </button>
          <span className="text-sm text-slate-700">{!counted ? t('import.lines', { n: '…' }) : lines ? t('import.lines', { n: num(lines) }) : ''}</span>
        </div>
        <div role="status" aria-live="polite" className="text-sm">
          {busy ? (
            <span className="flex items-center gap-2">
              <progress aria-label={t('import.progress')} className="h-2 w-40" />
              {t('import.busy', { n: num(busy.lines), what: busy.what, s: ((now - busy.started) / 1000).toFixed(1) })}
              {stop.current && (
                <button type="button" className={btnCls} onClick={() => stop.current?.abort()}>
                  {t('import.cancel')}
                </button>
              )}
            </span>
          ) : outcome?.ok === 'refused' ? (
            <span className="font-medium text-red-800">{t('import.pasteRefused')}</span>
          ) : outcome?.ok === 'stopped' ? (
            <span>{t('import.cancelled')}</span>
          ) : outcome?.ok === true ? (
            <span className="text-emerald-800">
              {t('import.done', { n: num(outcome.lines), host: outcome.host, s: (outcome.ms / 1000).toFixed(2), skipped: outcome.skipped.length ? t('import.skippedN', { n: outcome.skipped.length }) : '' })}
            </span>
          ) : outcome ? (
            <span className="font-medium text-red-800">{errors.length === 1 ? t('import.failedOne') : t('import.failed', { n: errors.length })}</span>
          ) : null}
        </div>
        {outcome?.ok === true && outcome.skipped.length > 0 && (
          <div>
            <h3 className="text-sm font-semibold">{t('import.skipped')}</h3>
            <ul tabIndex={0} className="max-h-40 overflow-auto font-mono text-[13px] focus:outline-2 focus:outline-blue-700" aria-label={t('import.skipped')}>
              {outcome.skipped.slice(0, MAX_SHOWN_PROBLEMS).map((s, k) => (
                <li key={k}>
                  {t('diag.linePrefix', { line: s.line })}
                  {s.reason}
                </li>
              ))}
            </ul>
          </div>
        )}
        {errors.length > 0 && outcome && outcome.ok === false && (
          <div role="alert" aria-label={t('import.errors')}>
            <DiagnosticList text={outcome.text} diagnostics={outcome.diagnostics} max={MAX_SHOWN_PROBLEMS} />
          </div>
        )}
      </div>
    </Panel>
  );
});
