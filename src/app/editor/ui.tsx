// pattern: Imperative Shell
// Small pieces the editor's regions share: field styles, the host picker,
// a diagnostic with its caret, and the "Equivalent command" block every form
// ends with (the command as it will be typed, and the button that runs it).
// An error the engine reports on the characters one field wrote is shown on
// that field (aria-invalid, the message next to it) and nowhere else; the
// block then says only how many errors the fields show.

import { useId, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { PositionedDiagnostic } from '../../worker/protocol';
import { fieldOf, type FieldSpan, type RuleField } from './builders';
import { useDeps } from '../shell/context';
import { selectScenario } from '../state/walk-store';
import { caretView } from './caret';
import { hostNames } from './scenario-ops';
import { applyTexts, editorSession, selectEditorHost, setEditorHost, type EditorSession } from './session';
import { useT } from '../i18n/lang';
import { translateNotice } from '../shell/notices';

import { inputCls } from './styles';

export { inputCls };
export const monoInputCls = `${inputCls} font-mono`;
export const btnCls = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:cursor-not-allowed disabled:text-slate-500';
export const primaryCls = 'rounded border border-blue-800 bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:cursor-not-allowed disabled:border-slate-400 disabled:bg-slate-400';
export const smallBtnCls = 'rounded border border-slate-400 bg-white px-2 py-0.5 text-xs font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-blue-700 disabled:text-slate-400';

export function useSession(): EditorSession {
  const { stores, client } = useDeps();
  return editorSession(stores, client);
}

export function useEditorHost(): [string, (h: string) => void] {
  const session = useSession();
  const host = useStore(session.store, selectEditorHost);
  return [host, (h) => setEditorHost(session, h)];
}

export function useHostNames(): string[] {
  const { stores } = useDeps();
  const scenario = useStore(stores.scenario, selectScenario);
  return hostNames(scenario);
}

/** What a control with an error carries: it is invalid, and the message beside it describes it. */
export type InvalidProps = { 'aria-invalid': true; 'aria-describedby': string } | Record<string, never>;

/**
 * A labelled control; the label is visible, so the accessible name is what
 * users read. With `error`, the message is shown under the control and the
 * control gets `invalid` (spread it onto the input).
 */
export function Field({ label, children, className = '', error = null }: { label: string; children: (id: string, invalid: InvalidProps) => ReactNode; className?: string; error?: string | null }) {
  const id = useId();
  const errId = `${id}-error`;
  return (
    <span className={`flex flex-col gap-0.5 text-sm text-slate-800 ${className}`}>
      <label htmlFor={id} className="font-medium">
        {label}
      </label>
      {children(id, error ? { 'aria-invalid': true, 'aria-describedby': errId } : {})}
      {error && (
        <span id={errId} className="max-w-[28rem] text-sm font-medium text-red-800" data-testid="field-error">
          {error}
        </span>
      )}
    </span>
  );
}

/** The message of each field an error is about (the first error of a field), and the errors of no field. */
export function splitByField(diagnostics: readonly PositionedDiagnostic[], spans: readonly FieldSpan[]): { fields: Record<RuleField, string>; rest: PositionedDiagnostic[] } {
  const fields: Record<RuleField, string> = {};
  const rest: PositionedDiagnostic[] = [];
  for (const d of diagnostics) {
    const f = d.severity === 'error' ? fieldOf(spans, d) : null;
    if (f === null) rest.push(d);
    else fields[f] ??= d.message;
  }
  return { fields, rest };
}

export function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="inline-flex items-center gap-1 text-sm text-slate-800">
      <input type="checkbox" className="h-4 w-4 accent-blue-700" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

export function HostSelect({ label }: { label: string }) {
  const [host, setHost] = useEditorHost();
  const hosts = useHostNames();
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} className={inputCls} value={host} onChange={(e) => setHost(e.target.value)}>
          {hosts.map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * The engine's message, and the typed text with ^ under the characters it is
 * about. `caret` false: the message alone (a form's error that is about no
 * one field: its command was not typed, so a column in it means nothing).
 */
export function DiagnosticView({ id, text, d, where, caret = true }: { id?: string; text: string; d: PositionedDiagnostic; where?: string; caret?: boolean }) {
  const v = caretView(text, d);
  const t = useT();
  const pos = text.includes('\n') ? t('diag.lineColumn', { line: v.line, column: v.column }) : t('diag.column', { column: v.column });
  if (!caret) {
    return (
      <div id={id} className="rounded border-l-4 border-red-700 bg-red-50 px-2 py-1 text-sm text-red-950">
        <p data-testid="diagnostic-message">{d.source === 'worker' ? translateNotice(t, d.message) : d.message}</p>
      </div>
    );
  }
  return (
    <div id={id} className="rounded border-l-4 border-red-700 bg-red-50 px-2 py-1 text-sm text-red-950" data-column={v.column} data-line={v.line}>
      <p>
        <span className="font-semibold">{where ? `${where}, ${pos}` : pos}:</span> <span data-testid="diagnostic-message">{d.source === 'worker' ? translateNotice(t, d.message) : d.message}</span>
        {d.expected ? <span> {t('diag.expected', { what: d.expected })}</span> : null}
      </p>
      {text.trim() !== '' && (
        <pre aria-hidden="true" className="mt-1 overflow-x-auto font-mono text-[13px] leading-5 text-slate-900">
          {v.text}
          {'\n'}
          <span className="font-bold text-red-700">{v.caret}</span>
        </pre>
      )}
    </div>
  );
}

export type RunState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; note: string }
  /** `onFields`: how many errors are shown on the form's fields instead of here */
  | { kind: 'error'; text: string; diagnostics: PositionedDiagnostic[]; onFields?: number };

/**
 * The command(s) a form will run, as they will be typed, and the button that
 * runs them on `host` through the engine. Several commands (a move) are one
 * undo step.
 */
export function CommandPreview({
  commands,
  host,
  label,
  onDone,
  disabled = false,
  spans,
  onFieldErrors,
  refused = 'rule',
}: {
  commands: string[];
  host: string;
  label?: string;
  onDone?: () => void;
  disabled?: boolean;
  /** where each form field's words are in the (one) command: its errors go to the fields */
  spans?: readonly FieldSpan[];
  onFieldErrors?: (errors: Record<RuleField, string>) => void;
  /** what the count of errors says was not done: the rule form's rule, or another form's command */
  refused?: 'rule' | 'command';
}) {
  const session = useSession();
  const t = useT();
  const [state, setState] = useState<RunState>({ kind: 'idle' });
  const [shown, setShown] = useState(commands);
  // a result belongs to the command it ran; editing the form clears it
  if (shown !== commands && shown.join('\n') !== commands.join('\n')) {
    setShown(commands);
    if (state.kind !== 'running') setState({ kind: 'idle' });
  }
  const errId = useId();
  const run = async () => {
    setState({ kind: 'running' });
    const r = await applyTexts(session, host, commands);
    if (r.ok) {
      setState({ kind: 'done', note: commands.length > 1 ? t('cmd.appliedN', { n: commands.length, host }) : t('cmd.applied', { host }) });
      onDone?.();
    } else if (spans && onFieldErrors && commands.length === 1) {
      const split = splitByField(r.diagnostics, spans);
      onFieldErrors(split.fields);
      setState({ kind: 'error', text: commands[0]!, diagnostics: split.rest, onFields: Object.keys(split.fields).length });
    } else setState({ kind: 'error', text: commands[r.index] ?? '', diagnostics: r.diagnostics });
  };
  const errors = state.kind === 'error' ? state.diagnostics.filter((d) => d.severity === 'error') : [];
  const onFields = state.kind === 'error' ? (state.onFields ?? 0) : 0;
  return (
    <div className="mt-2 flex flex-col gap-1 rounded border border-slate-300 bg-slate-50 px-2 py-1.5">
      <p className="text-sm text-slate-800">
        {commands.length > 1 ? t('cmd.equivalentN') : t('cmd.equivalent')}
      </p>
      <output className="block font-mono text-sm break-all whitespace-pre-wrap text-slate-950" aria-describedby={errors.length ? errId : undefined}>
        {commands.length ? commands.join('\n') : '—'}
      </output>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={primaryCls} disabled={disabled || !commands.length || state.kind === 'running'} onClick={() => void run()}>
          {label ?? t('cmd.apply')}
        </button>
        <span role="status" className="text-sm text-emerald-800">
          {state.kind === 'running' ? t('cmd.applying') : state.kind === 'done' ? state.note : ''}
        </span>
      </div>
      {(errors.length > 0 || onFields > 0) && state.kind === 'error' && (
        <div role="alert">
          {onFields > 0 && (
            <p className="text-sm font-medium text-red-800" data-testid="errors-on-fields">
              {t(onFields + errors.length === 1 ? (refused === 'rule' ? 'rule.oneError' : 'cmd.oneError') : refused === 'rule' ? 'rule.errors' : 'cmd.errors', { n: onFields + errors.length })}
            </p>
          )}
          <DiagnosticList id={errId} text={state.text} diagnostics={state.diagnostics} carets={!spans} />
        </div>
      )}
    </div>
  );
}

/** A lab-level change's result line (no command exists for these: they edit the case file). */
export function OpStatus({ result }: { result: { ok: boolean; message?: string } | null }) {
  const t = useT();
  if (!result) return <span role="status" />;
  return result.ok ? (
    <span role="status" className="text-sm text-emerald-800">
      {t('cmd.done')}
    </span>
  ) : (
    <span role="alert" className="text-sm font-medium text-red-800">
      {result.message}
    </span>
  );
}

/** The errors with their carets, then what else the tools said (the kernel's dmesg line). */
export function DiagnosticList({ id, text, diagnostics, max = 30, carets = true }: { id?: string; text: string; diagnostics: PositionedDiagnostic[]; max?: number; carets?: boolean }) {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const notes = diagnostics.filter((d) => d.severity !== 'error');
  const t = useT();
  return (
    <div id={id} className="flex flex-col gap-1">
      {errors.slice(0, max).map((d, k) => (
        <DiagnosticView key={k} text={text} d={d} caret={carets} />
      ))}
      {errors.length > max && <p className="text-sm">{t('diag.more', { n: errors.length - max })}</p>}
      {notes.slice(0, max).map((d, k) => (
        <p key={k} className="font-mono text-xs break-all text-slate-800">
          {text.includes('\n') ? t('diag.linePrefix', { line: d.line }) : ''}
          {d.message}
        </p>
      ))}
    </div>
  );
}
