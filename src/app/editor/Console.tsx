// pattern: Imperative Shell
// A root shell on the chosen host: type `iptables …`, `ip …`, `sysctl -w …`
// as on a real machine, or paste iptables-restore text. Enter runs the line
// through the engine; a refused line stays in the input, with the tool's
// message and a caret under the offending characters. ↑/↓ walk the history.
// net-tools writes (ifconfig eth0 up, route add default gw …) run as the ip
// commands the engine translates them to, shown with why iproute2 replaced
// the old tool.
// Read-only commands (iptables -L, ip route get, sysctl NAME, conntrack -L,
// ss, bridge link|fdb, ifconfig, route -n, netstat, help …) are answered by the engine as the real tools print them, as of the
// step on screen, in a monospace block; they change nothing (no version, no
// undo entry, no new walk, the step stays). Tab completes tools, options,
// chains and interfaces.

import { memo, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { PositionedDiagnostic } from '../../worker/protocol';
import { commonPrefix, consoleQuery } from './console-commands';
import { useDeps } from '../shell/context';
import { Panel } from '../panels/Panel';
import { useScrollWhenShown } from '../panels/useScrollWhenShown';
import { applyText, runLine } from './session';
import { DiagnosticList, btnCls, Field, HostSelect, inputCls, primaryCls, useEditorHost, useSession } from './ui';
import { useT } from '../i18n/lang';

type Line =
  | { kind: 'in'; host: string; text: string }
  | { kind: 'out'; text: string }
  | { kind: 'ok'; text: string }
  | { kind: 'err'; text: string }
  | { kind: 'hello'; text: '' }
  /** what a read-only command printed: kept as a block so its columns line up */
  | { kind: 'block'; text: string; err: boolean; translation?: boolean }
  | { kind: 'note'; text: string };

const MAX_LINES = 400;
const MAX_HISTORY = 200;

export const Console = memo(function Console() {
  const session = useSession();
  const { client, stores } = useDeps();
  const [host] = useEditorHost();
  const [mode, setMode] = useState<'command' | 'restore' | 'restore-noflush'>('command');
  const [text, setText] = useState('');
  const [restoreText, setRestoreText] = useState('');
  const t = useT();
  // the greeting is the app's own line: it follows the language; what commands print stays as the tools print it
  const [lines, setLines] = useState<Line[]>([{ kind: 'hello', text: '' }]);
  const [error, setError] = useState<{ text: string; diagnostics: PositionedDiagnostic[] } | null>(null);
  const [running, setRunning] = useState(false);
  const history = useRef<string[]>([]);
  const cursor = useRef<number>(-1);
  const draft = useRef('');
  const out = useRef<HTMLDivElement>(null);
  const errId = useId();
  const modeId = useId();

  useScrollWhenShown(
    out,
    (el) => {
      el.scrollTop = el.scrollHeight;
    },
    [lines],
  );

  const print = (...add: Line[]) => setLines((l) => [...l, ...add].slice(-MAX_LINES));

  const run = async (typed: string, how: 'command' | 'restore' | 'restore-noflush') => {
    if (typed.trim() === '' || running) return;
    if (how === 'command') {
      history.current = [...history.current.filter((h) => h !== typed), typed].slice(-MAX_HISTORY);
      cursor.current = -1;
    }
    const shown = how === 'command' ? typed : `iptables-restore${how === 'restore-noflush' ? ' --noflush' : ''} <<EOF ${t('console.lines', { n: typed.split('\n').length })}`;
    print({ kind: 'in', host, text: shown });
    setRunning(true);
    try {
      const lineCount = typed.split('\n').length;
      const r = how === 'command' ? await runLine(session, host, typed) : await applyText(session, host, typed, how, { what: t('console.restoreOn', { host }), lines: lineCount });
      // a line that only reads prints what the tool prints, as of the step on screen; nothing changed
      if ('read' in r) {
        const { stdout, stderr } = r.read;
        const add: Line[] = [];
        if (stdout) add.push({ kind: 'block', text: stdout.replace(/\n$/, ''), err: false });
        if (stderr) add.push({ kind: 'block', text: stderr.replace(/\n$/, ''), err: true });
        add.push({ kind: 'note', text: r.asOf >= 0 ? t('console.asOf', { step: r.asOf + 1 }) : t('console.asOfStart') });
        print(...add);
        setText('');
        setError(null);
        return;
      }
      if (r.ok) {
        setError(null);
        for (const d of r.diagnostics) print({ kind: 'out', text: d.message });
        // a net-tools line: what the lab ran instead, and why iproute2 replaced the old tool
        for (const tr of r.translated ?? []) {
          print({ kind: 'note', text: t('console.translated') });
          print({ kind: 'block', text: tr.commands.map((c) => c.text).join('\n'), err: false, translation: true });
          print({ kind: 'note', text: t(`console.why.${tr.why}`) });
        }
        print({ kind: 'ok', text: `✓ ${t('console.applied', { host })}` });
        if (how === 'command') setText('');
        else setRestoreText('');
      } else {
        // nothing typed is lost: the text stays for the user to fix
        setError({ text: typed, diagnostics: r.diagnostics });
        for (const d of r.diagnostics) print({ kind: d.severity === 'error' ? 'err' : 'out', text: how === 'command' ? d.message : `${t('diag.linePrefix', { line: d.line })}${d.message}` });
      }
    } finally {
      setRunning(false);
    }
  };

  const complete = async () => {
    const r = await consoleQuery(stores, client, host, text, true).catch(() => null);
    if (!r || !('completions' in r)) return;
    const c = r.completions;
    if (!c.length) print({ kind: 'note', text: t('console.noCompletion') });
    else if (c.length === 1) setText(`${c[0]!} `);
    else {
      const p = commonPrefix(c);
      if (p.length > text.length) setText(p);
      else print({ kind: 'note', text: t('console.completions', { list: c.map((l) => l.slice(l.lastIndexOf(' ') + 1)).join('  ') }) });
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const h = history.current;
    if (e.key === 'Tab' && !e.shiftKey && text.trim() !== '') {
      // Tab on an empty line still moves focus, so the console never traps the keyboard
      e.preventDefault();
      void complete();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void run(text, 'command');
    } else if (e.key === 'ArrowUp' && h.length) {
      e.preventDefault();
      if (cursor.current === -1) {
        draft.current = text;
        cursor.current = h.length - 1;
      } else cursor.current = Math.max(0, cursor.current - 1);
      setText(h[cursor.current]!);
    } else if (e.key === 'ArrowDown' && cursor.current !== -1) {
      e.preventDefault();
      cursor.current++;
      if (cursor.current >= h.length) {
        cursor.current = -1;
        setText(draft.current);
      } else setText(h[cursor.current]!);
    }
  };

  const errors = error?.diagnostics.filter((d) => d.severity === 'error') ?? [];
  return (
    <Panel title={t('console.title')} className="self-start xl:sticky xl:top-24">
      <div className="flex h-full flex-col gap-2">
        <div className="flex flex-wrap items-end gap-3">
          <HostSelect label={t('console.host')} />
          <Field label={t('console.input')}>
            {(id) => (
              <select id={id} className={inputCls} value={mode} onChange={(e) => setMode(e.target.value as typeof mode)} aria-describedby={modeId}>
                <option value="command">{t('console.modeCommand')}</option>
                <option value="restore">{t('console.modeRestore')}</option>
                <option value="restore-noflush">{t('console.modeNoflush')}</option>
              </select>
            )}
          </Field>
          <p id={modeId} className="text-xs text-slate-700">
            {mode === 'command' ? `${t('console.helpCommand')} ${t('console.tools')}` : t('console.helpRestore')}
          </p>
        </div>
        <div ref={out} role="log" aria-label={t('console.output', { host })} tabIndex={0} className="h-[clamp(12rem,40vh,26rem)] overflow-auto rounded bg-slate-950 px-2 py-1.5 font-mono text-[13px] leading-5 text-slate-100 focus:outline-2 focus:outline-blue-500">
          {lines.map((l, k) =>
            l.kind === 'block' ? (
              <pre key={k} data-console-output={l.translation ? undefined : ''} data-console-translation={l.translation ? '' : undefined} className={`overflow-x-auto font-mono whitespace-pre ${l.err ? 'text-red-300' : 'text-slate-100'}`}>
                {l.text}
              </pre>
            ) : l.kind === 'note' ? (
              <div key={k} className="text-xs text-slate-400">
                {l.text}
              </div>
            ) : (
            <div key={k} className={`break-all whitespace-pre-wrap ${l.kind === 'err' ? 'text-red-300' : l.kind === 'ok' ? 'text-emerald-300' : l.kind === 'in' ? 'text-white' : 'text-slate-200'}`}>
              {l.kind === 'in' ? <span className="text-sky-300">root@{l.host}:~# </span> : null}
              {l.kind === 'hello' ? t('console.hello') : l.text}
            </div>
            ),
          )}
        </div>
        {mode === 'command' ? (
          <div className="flex items-center gap-2 rounded border border-slate-500 bg-white px-2 py-1 focus-within:outline-2 focus-within:outline-blue-700">
            <span aria-hidden="true" className="font-mono text-sm whitespace-nowrap text-slate-700">
              root@{host}:~#
            </span>
            <input
              aria-label={t('console.command')}
              aria-invalid={errors.length > 0}
              aria-describedby={errors.length ? errId : undefined}
              className="min-w-0 flex-1 bg-transparent font-mono text-sm text-slate-950 outline-none"
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                cursor.current = -1;
              }}
              onKeyDown={onKeyDown}
            />
            <button type="button" className={btnCls} disabled={running || !text.trim()} onClick={() => void run(text, 'command')}>
              {t('console.run')}
            </button>
          </div>
        ) : (
          <div className="flex flex-col gap-1">
            <textarea
              aria-label={t('console.restoreInput')}
              aria-invalid={errors.length > 0}
              aria-describedby={errors.length ? errId : undefined}
              className={`${inputCls} h-36 font-mono`}
              spellCheck={false}
              value={restoreText}
              placeholder={'*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT'}
              onChange={(e) => setRestoreText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void run(restoreText, mode);
                }
              }}
            />
            <div>
              <button type="button" className={primaryCls} disabled={running || !restoreText.trim()} onClick={() => void run(restoreText, mode)}>
                {t('console.runRestore', { cmd: `iptables-restore${mode === 'restore-noflush' ? ' --noflush' : ''}` })}
              </button>
            </div>
          </div>
        )}
        {errors.length > 0 && error && (
          <DiagnosticList id={errId} text={error.text} diagnostics={error.diagnostics} />
        )}
      </div>
    </Panel>
  );
});
