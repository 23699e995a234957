// pattern: Imperative Shell
// iptables by form: pick a table and chain; create, rename, delete, flush a
// chain or set its policy; list its rules with move up/down (or drag) and
// delete; add a rule with its matches and target, each offering exactly the
// options the engine's extension declares; ports next to the protocol, as
// one types `-p tcp --dport 80` (iptables brings the tcp match itself). An
// error the engine finds in what a field wrote is shown on that field. Every change is the command one
// would type, shown as it is edited. Chains and rules are the lab's typed
// views (hostView, a chain page), never an iptables-save text read back.

import { memo, useMemo, useState } from 'react';
import { chainCommand, deleteRuleCommand, emptyRuleForm, moveRuleCommands, PORT_PROTOCOLS, ruleCommandSpans, type ChainOp, type ExtensionUse, type OptionValue, type RuleField, type RuleForm, type TableName } from './builders';
import { builtinChains, describeMatch, describeTarget, matchesFor, protoWord, TABLES, takesArg, targetsFor, VERDICT_TARGETS, type ExtensionDescription } from './describe';
import { useChainRules, useExtensions, useHostView } from './lab-views';
import { applyTexts } from './session';
import { Check, CommandPreview, DiagnosticList, Field, inputCls, monoInputCls, smallBtnCls, btnCls, useSession, type RunState } from './ui';
import { ChoiceSelect, type Choice } from './ChoiceSelect';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';

const PROTOCOLS = ['', 'tcp', 'udp', 'icmp', 'sctp', 'dccp', 'esp', 'ah', 'gre', 'all'];
const SHOWN_RULES = 200;

/** A chain as the chain picker lists it: its policy (null: a user chain) and how many rules it has. */
interface ChainEntry {
  name: string;
  policy: string | null;
  rules: number;
}

export const IptablesSection = memo(function IptablesSection({ host }: { host: string }) {
  const view = useHostView(host);
  const [table, setTable] = useState<TableName>('filter');
  const [chainChoice, setChain] = useState('FORWARD');
  const chains: ChainEntry[] = useMemo(() => {
    const got = view?.chains[table] ?? [];
    // a table never loaded on this host still has its built-in chains, empty, ACCEPT
    const builtins = builtinChains(table).map((name) => got.find((c) => c.name === name) ?? { name, policy: 'ACCEPT', rules: 0 });
    return [...builtins, ...got.filter((c) => c.policy === null)];
  }, [view, table]);
  const chain = chains.some((c) => c.name === chainChoice) ? chainChoice : (chains[0]?.name ?? '');
  const current = chains.find((c) => c.name === chain) ?? null;
  const userChains = useMemo(() => chains.filter((c) => c.policy === null).map((c) => c.name), [chains]);
  const t = useT();
  const chainChoices: Choice[] = useMemo(
    () => chains.map((c) => ({ value: c.name, label: `${c.name} (${t(c.rules === 1 ? 'graph.rule' : 'graph.rules', { n: c.rules })}${c.policy ? `, ${t('graph.policy', { policy: c.policy })}` : ''})` })),
    [chains, t],
  );

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t('ipt.table')}>
          {(id) => (
            <select id={id} className={inputCls} value={table} onChange={(e) => setTable(e.target.value as TableName)}>
              {TABLES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('ipt.chain')}>
          {(id) => (
            <ChoiceSelect id={id} value={chain} choices={chainChoices} onChange={setChain} />
          )}
        </Field>
      </div>
      <ChainForm host={host} table={table} chain={current} onChain={setChain} />
      {current && <RuleList host={host} table={table} chain={current} />}
      <RuleBuilder key={`${table} ${chain}`} host={host} table={table} chain={chain} userChains={userChains} ruleCount={current?.rules ?? 0} />
    </div>
  );
});

// ---------------------------------------------------------------- chains

const CHAIN_OPS: { op: ChainOp; label: MessageKey }[] = [
  { op: 'new', label: 'ipt.op.new' },
  { op: 'rename', label: 'ipt.op.rename' },
  { op: 'delete', label: 'ipt.op.delete' },
  { op: 'flush', label: 'ipt.op.flush' },
  { op: 'policy', label: 'ipt.op.policy' },
  { op: 'zero', label: 'ipt.op.zero' },
];

function ChainForm({ host, table, chain, onChain }: { host: string; table: TableName; chain: ChainEntry | null; onChain: (c: string) => void }) {
  const [op, setOp] = useState<ChainOp>('new');
  const [name, setName] = useState('');
  const [policy, setPolicy] = useState('DROP');
  const t = useT();
  const builtin = chain?.policy !== null;
  // only what applies to the selected chain is offered: built-in chains have a policy and cannot be renamed or deleted
  const ops = CHAIN_OPS.filter((o) => (builtin ? o.op !== 'rename' && o.op !== 'delete' : o.op !== 'policy'));
  const chosen = ops.some((o) => o.op === op) ? op : 'new';
  const cmd = chosen === 'new' ? chainCommand('new', table, name || 'NEWCHAIN') : chosen === 'rename' ? chainCommand('rename', table, chain?.name ?? '', name || 'NEWNAME') : chosen === 'policy' ? chainCommand('policy', table, chain?.name ?? '', policy) : chainCommand(chosen, table, chain?.name ?? '');
  return (
    <fieldset className="rounded border border-slate-300 px-2 py-1.5">
      <legend className="px-1 text-sm font-semibold text-slate-900">{t('ipt.chainLegend')}</legend>
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t('ipt.change')}>
          {(id) => (
            <select id={id} className={inputCls} value={chosen} onChange={(e) => setOp(e.target.value as ChainOp)}>
              {ops.map((o) => (
                <option key={o.op} value={o.op}>
                  {t(o.label)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {(chosen === 'new' || chosen === 'rename') && (
          <Field label={chosen === 'new' ? t('ipt.newChainName') : t('ipt.newName')}>{(id) => <input id={id} className={monoInputCls} value={name} placeholder={chosen === 'new' ? 'NEWCHAIN' : 'NEWNAME'} onChange={(e) => setName(e.target.value)} />}</Field>
        )}
        {chosen === 'policy' && (
          <Field label={t('ipt.policy')}>
            {(id) => (
              <select id={id} className={inputCls} value={policy} onChange={(e) => setPolicy(e.target.value)}>
                <option value="ACCEPT">ACCEPT</option>
                <option value="DROP">DROP</option>
              </select>
            )}
          </Field>
        )}
      </div>
      <CommandPreview
        commands={[cmd]}
        host={host}
        disabled={(chosen === 'new' || chosen === 'rename') && !name.trim()}
        onDone={() => {
          if (chosen === 'new' || chosen === 'rename') onChain(name.trim());
          setName('');
        }}
      />
    </fieldset>
  );
}

// ---------------------------------------------------------------- rule list

function RuleList({ host, table, chain }: { host: string; table: TableName; chain: ChainEntry }) {
  const session = useSession();
  const [state, setState] = useState<RunState>({ kind: 'idle' });
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const t = useT();
  const page = useChainRules(host, table, chain.name, SHOWN_RULES);
  const rows = page && page.chain === chain.name && page.table === table ? page.rules : [];
  const n = page?.total ?? chain.rules;
  const run = async (cmds: string[], note: string) => {
    if (!cmds.length) return;
    setState({ kind: 'running' });
    const r = await applyTexts(session, host, cmds);
    setState(r.ok ? { kind: 'done', note } : { kind: 'error', text: cmds[r.index] ?? '', diagnostics: r.diagnostics });
  };
  const move = (from: number, to: number) => {
    const spec = rows[from - 1]?.spec;
    if (spec !== undefined) void run(moveRuleCommands(table, chain.name, from, to, spec), t('ipt.moved', { from, to }));
  };
  return (
    <div className="flex flex-col gap-1">
      <h3 className="text-sm font-semibold text-slate-900">
        {t('ipt.rulesOn', { chain: `${table} ${chain.name}`, host })}
      </h3>
      {n === 0 ? (
        <p className="text-sm text-slate-700">{chain.policy ? t('ipt.noRulesPolicy', { policy: chain.policy }) : t('ipt.noRules')}</p>
      ) : (
        <ol tabIndex={0} aria-label={t('ipt.rulesOf', { chain: `${table} ${chain.name}` })} className="flex max-h-72 flex-col overflow-auto rounded border border-slate-300 focus:outline-2 focus:outline-blue-700">
          {rows.map(({ num, spec }, i) => {
            return (
              <li
                key={`${num} ${spec}`}
                draggable
                onDragStart={(e) => {
                  setDragFrom(num);
                  e.dataTransfer.effectAllowed = 'move';
                  e.dataTransfer.setData('text/plain', String(num));
                }}
                onDragOver={(e) => {
                  if (dragFrom === null) return;
                  e.preventDefault();
                  setDropAt(num);
                }}
                onDragEnd={() => {
                  setDragFrom(null);
                  setDropAt(null);
                }}
                onDrop={(e) => {
                  e.preventDefault();
                  if (dragFrom !== null) move(dragFrom, num);
                  setDragFrom(null);
                  setDropAt(null);
                }}
                className={`flex items-center gap-2 border-b border-slate-200 px-2 py-1 last:border-b-0 ${dropAt === num && dragFrom !== num ? 'bg-blue-50 outline-2 -outline-offset-2 outline-blue-700' : i % 2 ? 'bg-slate-50' : 'bg-white'} ${dragFrom === num ? 'opacity-60' : ''}`}
              >
                <span aria-hidden="true" className="cursor-grab text-slate-500 select-none" title={t('ipt.drag')}>
                  ⠿
                </span>
                <span className="w-8 shrink-0 text-right text-sm font-semibold text-slate-800 tabular-nums">{num}</span>
                <code className="min-w-0 flex-1 truncate text-[13px] text-slate-900" title={spec}>
                  {spec}
                </code>
                <span className="flex shrink-0 gap-1">
                  <button type="button" className={smallBtnCls} disabled={num === 1 || state.kind === 'running'} aria-label={t('ipt.up', { n: num })} onClick={() => move(num, num - 1)}>
                    ↑
                  </button>
                  <button type="button" className={smallBtnCls} disabled={num === n || state.kind === 'running'} aria-label={t('ipt.down', { n: num })} onClick={() => move(num, num + 1)}>
                    ↓
                  </button>
                  <button type="button" className={smallBtnCls} disabled={state.kind === 'running'} aria-label={t('ipt.deleteRule', { n: num })} onClick={() => void run([deleteRuleCommand(table, chain.name, num)], t('ipt.deleted', { n: num }))}>
                    {t('common.delete')}
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {n > SHOWN_RULES && <p className="text-sm text-slate-700">{t('ipt.showingFirst', { shown: SHOWN_RULES, n })}</p>}
      <p role="status" className="text-sm text-emerald-800">
        {state.kind === 'done' ? state.note : state.kind === 'running' ? t('cmd.applying') : ''}
      </p>
      {state.kind === 'error' && (
        <div role="alert">
          <DiagnosticList text={state.text} diagnostics={state.diagnostics} />
        </div>
      )}
    </div>
  );
}

// ---------------------------------------------------------------- rule builder

const IN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD']);
const OUT_CHAINS = new Set(['FORWARD', 'OUTPUT', 'POSTROUTING']);

function RuleBuilder({ host, table, chain, userChains, ruleCount }: { host: string; table: TableName; chain: string; userChains: string[]; ruleCount: number }) {
  const [form, setForm] = useState<RuleForm>(() => ({ ...emptyRuleForm(table, chain), target: 'ACCEPT' }));
  const f = { ...form, table, chain };
  // the engine's errors on the fields of the last Add rule; any change to the form clears them
  const [fieldErrors, setFieldErrors] = useState<Record<RuleField, string>>({});
  const set = (patch: Partial<RuleForm>) => {
    setForm((x) => ({ ...x, ...patch }));
    setFieldErrors({});
  };
  const err = (field: RuleField) => fieldErrors[field] ?? null;
  const builtin = builtinChains(table).includes(chain);
  const catalog = useExtensions();
  const matches = useMemo(() => matchesFor(catalog, table, chain), [catalog, table, chain]);
  const targets = useMemo(() => targetsFor(catalog, table, chain), [catalog, table, chain]);
  const [addMatch, setAddMatch] = useState('');
  const targetSpec = describeTarget(catalog, f.target);
  const { command: cmd, spans } = ruleCommandSpans(f, (ext, opt) => takesArg(catalog, ext, opt));
  const ports = PORT_PROTOCOLS.includes(f.proto) && !f.protoInvert;
  const t = useT();
  const targetChoices: Choice[] = useMemo(
    () => [
      { value: '', label: t('ipt.noTarget') },
      ...VERDICT_TARGETS.map((v) => ({ value: v, label: v, group: t('ipt.verdicts') })),
      ...userChains.filter((c) => c !== chain).map((c) => ({ value: c, label: c, group: t('ipt.chains') })),
      ...targets.map((x) => ({ value: x.name, label: x.name, group: t('ipt.extensions') })),
    ],
    [t, userChains, chain, targets],
  );

  const selector = (label: string, key: 'src' | 'dst' | 'inIface' | 'outIface' | 'sport' | 'dport', inv: 'srcInvert' | 'dstInvert' | 'inInvert' | 'outInvert' | 'sportInvert' | 'dportInvert', placeholder: string, field: RuleField) => (
    <span className="flex items-start gap-1">
      <Field label={label} error={err(field)}>
        {(id, invalid) => <input id={id} className={`${monoInputCls} w-40`} value={f[key]} placeholder={placeholder} onChange={(e) => set({ [key]: e.target.value })} {...invalid} />}
      </Field>
      <span className="pt-6">
        <Check label={t('ipt.not')} checked={f[inv]} onChange={(v) => set({ [inv]: v })} />
      </span>
    </span>
  );

  return (
    <fieldset className="rounded border border-slate-300 px-2 py-1.5">
      <legend className="px-1 text-sm font-semibold text-slate-900">
        {t('ipt.addTo', { chain: `${table} ${chain}` })}
      </legend>
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t('ipt.position')}>
          {(id) => (
            <select id={id} className={inputCls} value={f.position} onChange={(e) => set({ position: e.target.value as RuleForm['position'] })}>
              <option value="append">{t('ipt.append')}</option>
              <option value="insert">{t('ipt.insert')}</option>
            </select>
          )}
        </Field>
        {f.position === 'insert' && (
          <Field label={t('ipt.ruleNumber')} error={err('rulenum')}>
            {(id, invalid) => <input id={id} type="number" min={1} max={ruleCount + 1} className={`${inputCls} w-20`} value={f.rulenum} onChange={(e) => set({ rulenum: e.target.value })} {...invalid} />}
          </Field>
        )}
        <span className="flex items-end gap-1">
          <Field label={t('ipt.proto')} error={err('proto')}>
            {(id, invalid) => (
              <select id={id} className={inputCls} value={f.proto} onChange={(e) => set({ proto: e.target.value })} {...invalid}>
                {PROTOCOLS.map((p) => (
                  <option key={p} value={p}>
                    {p || t('ipt.any')}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Check label={t('ipt.not')} checked={f.protoInvert} onChange={(v) => set({ protoInvert: v })} />
        </span>
      </div>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        {selector(t('ipt.src'), 'src', 'srcInvert', '10.0.0.0/8', 'src')}
        {selector(t('ipt.dst'), 'dst', 'dstInvert', '192.168.1.100', 'dst')}
        {/* the kernel has no input interface after routing for locally made packets, nor an output one before routing */}
        {(!builtin || IN_CHAINS.has(chain)) && selector(t('ipt.in'), 'inIface', 'inInvert', 'eth0', 'in')}
        {(!builtin || OUT_CHAINS.has(chain)) && selector(t('ipt.out'), 'outIface', 'outInvert', 'eth1', 'out')}
      </div>
      {ports && (
        <div className="mt-2 flex flex-col gap-1">
          <div className="flex flex-wrap items-start gap-3">
            {selector(t('rule.sport'), 'sport', 'sportInvert', '1024:65535', 'sport')}
            {selector(t('rule.dport'), 'dport', 'dportInvert', '80', 'dport')}
          </div>
          <p className="text-xs text-slate-700">{t('rule.portHint', { proto: f.proto })}</p>
        </div>
      )}

      {f.matches.map((m, k) => (
        <ExtensionEditor
          key={k}
          kind="match"
          errorOf={(opt) => err(`match.${k}.${opt}`)}
          use={m}
          spec={describeMatch(catalog, m.name)}
          onChange={(next) => set({ matches: f.matches.map((x, j) => (j === k ? next : x)) })}
          onRemove={() => set({ matches: f.matches.filter((_, j) => j !== k) })}
        />
      ))}
      <div className="mt-2 flex flex-wrap items-end gap-2">
        <Field label={t('ipt.matchModule')}>
          {(id) => (
            <select id={id} className={inputCls} value={addMatch} onChange={(e) => setAddMatch(e.target.value)}>
              <option value="">{t('common.choose')}</option>
              {matches.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name}
                  {m.proto !== null ? ` ${t('ipt.needsProto', { proto: protoWord(m) ?? '' })}` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button
          type="button"
          className={btnCls}
          disabled={!addMatch}
          onClick={() => {
            const spec = describeMatch(catalog, addMatch);
            if (!spec) return;
            const need = protoWord(spec);
            set({ matches: [...f.matches, { name: spec.name, options: [] }], ...(need && !f.proto ? { proto: need } : {}) });
            setAddMatch('');
          }}
        >
          {t('ipt.addMatch')}
        </button>
      </div>

      <div className="mt-2 flex flex-wrap items-end gap-3">
        <Field label={t('ipt.jumpOrGoto')}>
          {(id) => (
            <select id={id} className={inputCls} value={f.jump} onChange={(e) => set({ jump: e.target.value as RuleForm['jump'] })}>
              <option value="jump">{t('ipt.jump')}</option>
              <option value="goto">{t('ipt.goto')}</option>
            </select>
          )}
        </Field>
        <Field label={t('ipt.target')} error={err('target')}>
          {(id) => <ChoiceSelect id={id} value={f.target} choices={targetChoices} onChange={(v) => set({ target: v, targetOptions: [] })} />}
        </Field>
      </div>
      {targetSpec && targetSpec.options.length > 0 && (
        <ExtensionEditor kind="target" errorOf={(opt) => err(`target.${opt}`)} use={{ name: f.target, options: f.targetOptions }} spec={targetSpec} onChange={(next) => set({ targetOptions: next.options })} />
      )}
      <CommandPreview commands={[cmd]} host={host} label={t('ipt.addRule')} spans={spans} onFieldErrors={setFieldErrors} />
    </fieldset>
  );
}

/** One match (or the target) with its options: only the options the extension declares are offered. */
function ExtensionEditor({
  kind,
  use,
  spec,
  onChange,
  onRemove,
  errorOf = () => null,
}: {
  kind: 'match' | 'target';
  use: ExtensionUse;
  spec: ExtensionDescription | undefined;
  onChange: (u: ExtensionUse) => void;
  onRemove?: () => void;
  /** the engine's error on an option's words, by option name */
  errorOf?: (option: string) => string | null;
}) {
  const [pick, setPick] = useState('');
  const options = spec?.options ?? [];
  const used = new Set(use.options.map((o) => o.name));
  const free = options.filter((o) => !used.has(o.name));
  const setOpt = (k: number, patch: Partial<OptionValue>) => onChange({ ...use, options: use.options.map((o, j) => (j === k ? { ...o, ...patch } : o)) });
  const t = useT();
  const title = kind === 'match' ? `-m ${use.name}` : t('ipt.targetOptions', { target: use.name });
  return (
    <fieldset className="mt-2 rounded border border-slate-300 bg-slate-50 px-2 py-1.5">
      <legend className="px-1 font-mono text-sm font-semibold text-slate-900">{title}</legend>
      <div className="flex flex-col gap-1">
        {use.options.map((o, k) => {
          const os = options.find((x) => x.name === o.name);
          return (
            <div key={o.name} className="flex flex-wrap items-end gap-2">
              {os?.arg ? (
                <Field label={`--${o.name}`} error={errorOf(o.name)}>
                  {(id, invalid) => <input id={id} className={`${monoInputCls} w-48`} value={o.arg} onChange={(e) => setOpt(k, { arg: e.target.value })} {...invalid} />}
                </Field>
              ) : (
                <span className="py-1 font-mono text-sm text-slate-900">--{o.name}</span>
              )}
              {os?.arg2 ? <Field label={t('ipt.secondWord', { option: `--${o.name}` })}>{(id) => <input id={id} className={`${monoInputCls} w-32`} value={o.arg2 ?? ''} onChange={(e) => setOpt(k, { arg2: e.target.value })} />}</Field> : null}
              {os?.invert ? <Check label={t('ipt.notOption', { option: `--${o.name}` })} checked={o.invert} onChange={(v) => setOpt(k, { invert: v })} /> : null}
              <button type="button" className={smallBtnCls} aria-label={t('ipt.removeOption', { option: `--${o.name}` })} onClick={() => onChange({ ...use, options: use.options.filter((_, j) => j !== k) })}>
                {t('ipt.remove')}
              </button>
            </div>
          );
        })}
        <div className="flex flex-wrap items-end gap-2">
          {free.length > 0 && (
            <>
              <Field label={t('ipt.optionOf', { ext: use.name })}>
                {(id) => (
                  <select id={id} className={inputCls} value={pick} onChange={(e) => setPick(e.target.value)}>
                    <option value="">{t('common.choose')}</option>
                    {free.map((o) => (
                      <option key={o.name} value={o.name}>
                        --{o.name}
                        {o.arg ? (o.arg2 ? ' A B' : ' VALUE') : ''}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <button
                type="button"
                className={smallBtnCls}
                disabled={!pick}
                onClick={() => {
                  const os = options.find((x) => x.name === pick);
                  if (!os) return;
                  onChange({ ...use, options: [...use.options, { name: os.name, arg: '', ...(os.arg2 ? { arg2: '' } : {}), invert: false }] });
                  setPick('');
                }}
              >
                {t('ipt.addOption')}<span className="sr-only"> {t('ipt.addOptionTo', { ext: use.name })}</span>
              </button>
            </>
          )}
          {onRemove && (
            <button type="button" className={smallBtnCls} onClick={onRemove}>
              {t('ipt.removeExt', { ext: use.name })}
            </button>
          )}
        </div>
      </div>
    </fieldset>
  );
}
