// pattern: Functional Core
// A lab: one scenario held open for editing and walking, as the app's worker
// keeps it. It holds each host's configuration (sim/host-config.ts) as
// versions, not the case text: an edit runs one command on a copy of the one
// host it names and keeps the rest, so adding a rule to a 50,000-rule router
// costs that rule, rules keep their identity from version to version, and
// undo is going back to the previous version. A walk starts a World from the
// current version without running any setup command again. The case text
// (canonical setup, FORMAT.md §1) is made only when asked for: a snapshot
// for saving, sharing and exporting.

import { readCase } from '../scenario/case-file';
import type { Case } from '../scenario/case';
import type { Scenario, SetupCommand, Step } from '../scenario/types';
import { World } from '../sim/world';
import { Host } from '../sim/host';
import { copyNet, copyRuleset, copyRulesetFor, type HostConfig } from '../sim/host-config';
import type { Ruleset } from '../iptables/ruleset';
import type { TableName } from '../netfilter/hooks';
import { parseIptablesCommand } from '../iptables/command';
import { applySetupCommand } from '../sim/setup-commands';
import { cloneIpvsState } from '../ipvs/state';
import { importIpOutput } from '../net/ip-import';
import { hostExport, positioned, scenarioToCase, scenarioToCaseSliced, type PositionedDiagnostic } from '../edit/scenario-edit';
import type { Sliced } from '../text/slices';
import { configFindings, type NotModelled } from '../not-modelled';
import { walkLog, type WalkLog } from '../walk-log';
import { formatDiagnostic, type Diagnostic } from '../text/diagnostics';
import type { BudgetLimits } from '../sim/budget';
import { completeCommand, runQuery, type QueryOutput } from './readonly';
import { inspectStep, type StepInspection } from './inspect';
import { netToolsError, translateNetTools, type NetToolsTranslation } from '../net/net-tools-write';
import { isNetnsCommand, netnsEdit, netnsExec, netnsList } from './netns';
import { hostScript } from '../scenario/netns';

export type EditMode = 'command' | 'restore' | 'restore-noflush' | 'import-ip';

/** What an edit changed: the host and which of its parts, so the page asks again for those views only. */
export interface EditChange {
  host: string;
  parts: ('rules' | 'net' | 'ipvs')[];
}

export type LabEditResult =
  | { ok: true; version: number; diagnostics: PositionedDiagnostic[]; changed: EditChange; skipped?: { line: number; reason: string }[]; translated?: NetToolsTranslation[] }
  | { ok: false; diagnostics: PositionedDiagnostic[] };

export type LabOpenResult = { ok: true; lab: Lab } | { ok: false; errors: string[] };

export type ExportKind = 'iptables-save' | 'ip-route' | 'ip-route-all' | 'ip-rule' | 'setup' | 'case';

/** One version of the lab: every host's configuration and the topology and traffic around them. */
interface LabVersion {
  /** hosts, links, switches, listeners, rt_tables, options and traffic; hosts' `setup` is not read again */
  scenario: Scenario;
  configs: ReadonlyMap<string, HostConfig>;
}

/** A finished walk, kept for explain and event requests. */
export interface LabWalk {
  id: number;
  version: number;
  world: World;
  log: WalkLog;
}

/** Undo keeps this many versions: 50,000-rule versions share their rules but each has its own chain arrays. */
const HISTORY = 100;

const findingsCache = new WeakMap<HostConfig, NotModelled[]>();

/** Findings of one subject shown one by one before the rest are counted (not-modelled.ts). */
const PER_SUBJECT = 3;

function hostFindings(name: string, c: HostConfig): NotModelled[] {
  let f = findingsCache.get(c);
  if (!f) findingsCache.set(c, (f = configFindings(name, c, PER_SUBJECT)));
  return f;
}

/** The parts of a host one setup command can change (sim/adapters.ts applySetupCommand dispatches the same way). */
function partsOf(cmd: SetupCommand): EditChange['parts'] {
  if (typeof cmd !== 'string') return ['rules'];
  const t = cmd.trimStart();
  if (t.startsWith('ipvsadm')) return ['ipvs'];
  // connbytes rules turn on nf_conntrack_acct (a sysctl): the net part changes with the rules
  if (t.startsWith('iptables')) return ['rules', 'net'];
  if (t.startsWith('sysctl')) return ['net', 'ipvs'];
  return ['net'];
}

/**
 * A copy of the parts `parts` names; the others are shared with `c`. One
 * iptables command copies only the chains it names (host-config.ts).
 */
function copyParts(c: HostConfig, parts: EditChange['parts'], cmds: readonly SetupCommand[]): HostConfig {
  return {
    net: parts.includes('net') ? (parts.includes('rules') ? { ...c.net, sysctl: { ...c.net.sysctl } } : copyNet(c.net)) : c.net,
    rules: parts.includes('rules') ? rulesFor(c.rules, cmds) : c.rules,
    ipvs: parts.includes('ipvs') ? cloneIpvsState(c.ipvs) : c.ipvs,
  };
}

/** The chains of one table iptables commands change, or null when that is not one table (restore text, several tables). */
function chainsChanged(cmds: readonly SetupCommand[]): { table: TableName; chains: string[] | 'all' } | null {
  let table: TableName | null = null;
  const chains = new Set<string>();
  for (const cmd of cmds) {
    if (typeof cmd !== 'string' || !cmd.trimStart().startsWith('iptables')) return null;
    const p = parseIptablesCommand(cmd).value;
    if (!p) continue;
    if (table !== null && p.table !== table) return null;
    table = p.table;
    // -F/-Z/-X without a chain touch every chain; -E rewrites the jumps of every chain to the renamed one
    if (p.chain === null || p.kind === 'rename-chain') return { table, chains: 'all' };
    chains.add(p.chain);
  }
  return table === null ? null : { table, chains: [...chains] };
}

function rulesFor(rs: Ruleset, cmds: readonly SetupCommand[]): Ruleset {
  const c = chainsChanged(cmds);
  return c ? copyRulesetFor(rs, c.table, c.chains) : copyRuleset(rs);
}

export class Lab {
  private versions: LabVersion[];
  private at = 0;
  /** bumped by every change, undo and redo included: what the page compares */
  version = 1;
  private nextWalk = 1;
  private walks: LabWalk[] = [];
  /** a World with no hosts, whose only use is to give edits a Host to run commands on */
  private readonly scratch: World;

  private constructor(
    first: LabVersion,
    private readonly limits: BudgetLimits | undefined,
  ) {
    this.versions = [first];
    this.scratch = new World({ ...first.scenario, hosts: [], links: [], switches: [], listeners: [], steps: [] }, limits, new Map());
  }

  /** Read a case (FORMAT.md §1) and run its setup commands once. */
  static open(caseJson: unknown, limits?: BudgetLimits): LabOpenResult {
    const v = Lab.build(caseJson, limits);
    return 'errors' in v ? { ok: false, errors: v.errors } : { ok: true, lab: new Lab(v, limits) };
  }

  private static build(caseJson: unknown, limits?: BudgetLimits): LabVersion | { errors: string[] } {
    const parsed = readCase(caseJson);
    if (!parsed.value) return { errors: parsed.diagnostics.map((d) => d.message) };
    const scenario = parsed.value;
    const world = new World(scenario, limits);
    const errors = world.diagnostics.flatMap((d) =>
      d.diagnostics
        .filter((x) => x.severity === 'error')
        .map((x) => {
          const cmd = scenario.hosts.find((h) => h.name === d.host)?.setup[d.command];
          const text = typeof cmd === 'string' ? cmd : cmd ? cmd['iptables-restore'] : '';
          return `host ${d.host} setup[${d.command}]: ${formatDiagnostic(text, x)}`;
        }),
    );
    if (errors.length) return { errors };
    // the world never runs: what its hosts hold is configuration only
    const configs = new Map<string, HostConfig>();
    for (const h of world.hostList) configs.set(h.name, { net: h.net, rules: h.rules, ipvs: h.ipvs });
    return { scenario, configs };
  }

  private get current(): LabVersion {
    return this.versions[this.at]!;
  }

  get scenarioName(): string {
    return this.current.scenario.name;
  }

  hostNames(): string[] {
    return this.current.scenario.hosts.map((h) => h.name);
  }

  config(host: string): HostConfig | undefined {
    return this.current.configs.get(host);
  }

  get traffic(): readonly Step[] {
    return this.current.scenario.steps;
  }

  /** versions undo can go back to */
  get past(): number {
    return this.at;
  }

  /** versions redo can go forward to */
  get future(): number {
    return this.versions.length - 1 - this.at;
  }

  get canUndo(): boolean {
    return this.at > 0;
  }

  get canRedo(): boolean {
    return this.at < this.versions.length - 1;
  }

  private push(v: LabVersion): number {
    this.versions = this.versions.slice(0, this.at + 1);
    this.versions.push(v);
    this.version++;
    if (this.versions.length > HISTORY) this.versions.shift();
    this.at = this.versions.length - 1;
    return this.version;
  }

  /**
   * Run a command (`ip`, `iptables`, `ipvsadm`, `sysctl`), an iptables-restore
   * text or an import of `ip … show` output on one host. A refused edit
   * changes nothing and returns the tool's messages, positioned in `text`.
   */
  edit(host: string, text: string, mode: EditMode = 'command'): LabEditResult {
    const r = this.editAll(host, [text], mode);
    return r.ok ? r : { ok: false, diagnostics: r.diagnostics };
  }

  /**
   * Several texts on one host as one version (a rule moved is a delete and
   * an insert): the first refused text stops them and nothing changes;
   * `index` says which it was.
   */
  editAll(host: string, texts: readonly string[], mode: EditMode = 'command'): LabEditResult | { ok: false; diagnostics: PositionedDiagnostic[]; index: number } {
    const config = this.current.configs.get(host);
    // a listing that reaches here (`iptables -L`) must not become a version: the console asks query() first, a script may not
    if (mode === 'command' && config && texts.length && texts.every((t) => this.query(host, t, null, -1) !== null)) return { ok: true, version: this.version, diagnostics: [], changed: { host, parts: [] } };
    if (!config) return { ok: false, index: 0, diagnostics: positioned(texts[0] ?? '', [{ from: 0, to: 0, severity: 'error', message: `no host named ${host}`, source: 'edit' }]) };
    if (mode === 'command' && texts.length === 1 && isNetnsCommand(texts[0])) return this.netns(host, texts[0]!);
    if (mode === 'command' && texts.some(isNetnsCommand)) return this.oneByOne(host, texts);
    const cmds: SetupCommand[] = texts.map((text) => (mode === 'command' ? text.trim() : { 'iptables-restore': text, noflush: mode === 'restore-noflush' }));
    const parts = mode === 'import-ip' ? (['net'] as EditChange['parts']) : [...new Set(cmds.flatMap(partsOf))];
    const next = copyParts(config, parts, cmds);
    const h = this.hostFor(host, next);
    let diagnostics: PositionedDiagnostic[] = [];
    let skipped: { line: number; reason: string }[] | undefined;
    let translated: NetToolsTranslation[] | undefined;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      if (mode === 'import-ip') {
        const r = this.importIp(h, text);
        if (!r.ok) return { ok: false, diagnostics: r.diagnostics, index: i };
        diagnostics = r.diagnostics;
        skipped = r.skipped;
        continue;
      }
      const tr = mode === 'command' ? translateNetTools(text, next.net) : null;
      if (tr) {
        const r = tr.ok ? this.applyTranslation(h, tr.value) : tr;
        if (!r.ok) return { ok: false, diagnostics: positioned(text, r.diagnostics), index: i };
        (translated ??= []).push(r.value);
        diagnostics = [];
        continue;
      }
      const lead = mode === 'command' ? text.length - text.trimStart().length : 0;
      const diags = applySetupCommand(h, cmds[i]!, this.current.scenario.rtTables).map((d) => ({ ...d, from: d.from + lead, to: d.to + lead }));
      if (diags.some((d) => d.severity === 'error')) return { ok: false, diagnostics: positioned(text, diags), index: i };
      diagnostics = positioned(text, diags);
    }
    const version = texts.length ? this.commitHost(host, next) : this.version;
    const changed = { host, parts };
    return { ok: true, version, diagnostics, changed, ...(skipped ? { skipped } : {}), ...(translated ? { translated } : {}) };
  }

  /**
   * Texts among which an `ip netns` command changes the case's hosts (the
   * namespace form): each runs on the version the one before made, and they
   * end as one version, or none when one is refused.
   */
  private oneByOne(host: string, texts: readonly string[]): LabEditResult | { ok: false; diagnostics: PositionedDiagnostic[]; index: number } {
    const saved = { versions: this.versions, at: this.at, version: this.version };
    let last: LabEditResult | null = null;
    for (let i = 0; i < texts.length; i++) {
      last = this.edit(host, texts[i]!);
      if (!last.ok) {
        this.versions = saved.versions;
        this.at = saved.at;
        this.version = saved.version;
        return { ok: false, diagnostics: last.diagnostics, index: i };
      }
    }
    const final = this.current;
    this.versions = saved.versions.slice(0, saved.at + 1);
    this.at = saved.at;
    this.version = saved.version;
    const version = this.push(final);
    return { ok: true, version, diagnostics: [], changed: { host, parts: ['net', 'rules'] } };
  }

  /**
   * `ip netns …` on `host` (lab/netns.ts): exec runs its command on the
   * namespace's host; the rest change the case's hosts and links, one
   * undoable version.
   */
  private netns(host: string, text: string): LabEditResult {
    const exec = netnsExec(text);
    if (exec) {
      if (this.current.scenario.hosts.some((h) => h.name === exec.ns && h.in === host)) {
        const r = this.edit(exec.ns, exec.command);
        const shift = (ds: PositionedDiagnostic[]): Diagnostic[] => ds.map((d) => ({ ...d, from: d.from + exec.at, to: d.to + exec.at }));
        return r.ok ? { ...r, diagnostics: positioned(text, shift(r.diagnostics)) } : { ok: false, diagnostics: positioned(text, shift(r.diagnostics)) };
      }
    }
    const r = netnsEdit(this.snapshot(), host, text);
    if (!r.ok) return { ok: false, diagnostics: positioned(text, r.diagnostics) };
    const v = this.replace(r.value);
    if (!v.ok) return { ok: false, diagnostics: positioned(text, [{ from: 0, to: text.length, severity: 'error', message: v.errors.join('; '), source: 'ip' }]) };
    return { ok: true, version: v.version, diagnostics: [], changed: { host, parts: ['net'] } };
  }

  /**
   * A net-tools write (net/net-tools-write.ts): its ip commands in order on
   * `h`; a refusal in the old tool's words. SIOCADDRT creates a route
   * without NLM_F_EXCL, so where `ip route add` finds the prefix taken
   * with another nexthop or scope the kernel adds it all the same, before
   * the other: `ip route prepend` (recorded: route add -net 10.0.2.0 … dev
   * eth1 next to the kernel's own route).
   */
  private applyTranslation(h: Host, t: NetToolsTranslation): { ok: true; value: NetToolsTranslation } | { ok: false; diagnostics: Diagnostic[] } {
    const done: NetToolsTranslation = { ...t, commands: [] };
    for (const c of t.commands) {
      let cmd = c;
      let errors = applySetupCommand(h, cmd.text, this.current.scenario.rtTables).filter((d) => d.severity === 'error');
      if (errors.some((d) => /File exists/.test(d.message)) && cmd.text.startsWith('ip route add ')) {
        const prepend = { ...cmd, text: cmd.text.replace('ip route add ', 'ip route prepend ') };
        const again = applySetupCommand(h, prepend.text, this.current.scenario.rtTables).filter((d) => d.severity === 'error');
        if (!again.length) {
          cmd = prepend;
          done.why = 'route-prepend';
        }
        errors = again;
      }
      if (errors.length) return { ok: false, diagnostics: [{ from: cmd.from, to: cmd.to, severity: 'error', source: 'net-tools', message: netToolsError(cmd.ioctl, errors[0]!.message) }] };
      done.commands.push(cmd);
    }
    return { ok: true, value: done };
  }

  private importIp(h: Host, text: string): { ok: true; diagnostics: PositionedDiagnostic[]; skipped: { line: number; reason: string }[] } | { ok: false; diagnostics: PositionedDiagnostic[] } {
    const r = importIpOutput(text, 'auto');
    if (!r.value || r.diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics: positioned(text, r.diagnostics) };
    const errors: Diagnostic[] = [];
    for (const c of r.value.commands) {
      const ds = applySetupCommand(h, c.text, this.current.scenario.rtTables).filter((d) => d.severity === 'error');
      for (const d of ds) errors.push({ ...d, from: c.span.from, to: c.span.to, message: `${c.text}: ${d.message}` });
    }
    if (errors.length) return { ok: false, diagnostics: positioned(text, errors) };
    return { ok: true, diagnostics: positioned(text, r.diagnostics), skipped: r.value.skipped };
  }

  /** A Host whose configuration is `config` itself (not a copy): commands run on it change `config`. */
  private hostFor(name: string, config: HostConfig): Host {
    const index = this.hostNames().indexOf(name) + 1;
    return new Host(this.scratch, name, index, [], config);
  }

  private commitHost(host: string, next: HostConfig): number {
    const configs = new Map(this.current.configs);
    configs.set(host, next);
    return this.push({ scenario: this.current.scenario, configs });
  }

  /**
   * Replace the whole case as one undoable step (hosts, links, listeners,
   * rt_tables changed, or a case loaded): its setup runs once.
   */
  replace(caseJson: unknown): { ok: true; version: number } | { ok: false; errors: string[] } {
    const v = Lab.build(caseJson, this.limits);
    if ('errors' in v) return { ok: false, errors: v.errors };
    return { ok: true, version: this.push(v) };
  }

  undo(): number | null {
    if (!this.canUndo) return null;
    this.at--;
    this.version++;
    return this.version;
  }

  redo(): number | null {
    if (!this.canRedo) return null;
    this.at++;
    this.version++;
    return this.version;
  }

  /**
   * Set the traffic and walk it from a fresh start. With `keep`, the steps
   * are added to the traffic already there, so the new packets meet the
   * conntrack entries, IPVS connections and scheduler state the earlier
   * ones left (the walk replays the earlier steps: every walk is
   * deterministic from the configuration).
   */
  send(traffic: unknown[] | null, opts: { keep?: boolean } = {}): { ok: true; walk: LabWalk } | { ok: false; errors: string[] } {
    let steps = this.current.scenario.steps;
    if (traffic !== null) {
      const parsed = this.readTraffic(traffic);
      if ('errors' in parsed) return { ok: false, errors: parsed.errors };
      steps = opts.keep ? [...steps, ...parsed.steps] : parsed.steps;
      // the traffic is part of the current version (undo keeps what the user is looking at)
      const scenario = { ...this.current.scenario, steps };
      this.versions[this.at] = { ...this.current, scenario };
    }
    return { ok: true, walk: this.walk() };
  }

  /** Walk the current version's traffic. */
  walk(): LabWalk {
    const { scenario, configs } = this.current;
    const world = new World(scenario, this.limits, configs);
    world.run();
    const findings = scenario.hosts.flatMap((h) => hostFindings(h.name, configs.get(h.name)!));
    const log = walkLog(world, { chainRules: false, configFindings: findings });
    const walk: LabWalk = { id: this.nextWalk++, version: this.version, world, log };
    // explain and event requests are for the walk on screen; one more covers a request racing a new walk
    this.walks = [...this.walks.slice(-1), walk];
    return walk;
  }

  walkById(id: number): LabWalk | undefined {
    return this.walks.find((w) => w.id === id);
  }

  /** The packet at one step of a kept walk, layer by layer, and the tables as of that step (lab/inspect.ts); null: no such walk or step. */
  inspect(walkId: number, step: number): StepInspection | null {
    const walk = this.walkById(walkId);
    return walk ? inspectStep(walk, step) : null;
  }

  /** Check traffic steps against this lab's hosts as a case would (FORMAT.md §1.2). */
  private readTraffic(traffic: unknown[]): { steps: Step[] } | { errors: string[] } {
    const s = this.current.scenario;
    const shell = {
      name: s.name,
      hosts: s.hosts.map((h) => ({ name: h.name, setup: [] })),
      links: s.links.map(([a, b]) => [`${a.host}:${a.iface}`, `${b.host}:${b.iface}`]),
      switches: s.switches.map((sw) => ({ name: sw.name, ports: sw.ports.map((p) => `${p.host}:${p.iface}`) })),
      listeners: s.listeners,
      steps: traffic,
    };
    const parsed = readCase(shell);
    if (!parsed.value) return { errors: parsed.diagnostics.map((d) => d.message) };
    return { steps: parsed.value.steps };
  }

  /**
   * Answer a read-only command (`iptables -L`, `ip route get …`, `sysctl
   * NAME` …) on `host` as of step `asOf` of `walk` (null: no walk, counters
   * zero), or null when `text` is not one: an edit. Nothing changes.
   */
  query(host: string, text: string, walk: LabWalk | null, asOf: number, clock: { now: number; tzOffset: number } = { now: 0, tzOffset: 0 }): QueryOutput | null {
    const config = this.current.configs.get(host);
    if (!config) return { stdout: '', stderr: `no host named ${host}\n`, exit: 1 };
    const list = netnsList(this.current.scenario, host, text);
    if (list) return list;
    const exec = netnsExec(text);
    // a command run in a namespace of this host reads that namespace; an unknown one is the edit path's to refuse, with its span
    if (exec) return this.current.scenario.hosts.some((h) => h.name === exec.ns && h.in === host) ? this.query(exec.ns, exec.command, walk, asOf, clock) : null;
    return runQuery(text, { host, config, scenario: this.current.scenario, configs: this.current.configs, walk: walk ? { log: walk.log, world: walk.world, asOf } : null, ...clock });
  }

  /** Tab completion of `text` on `host` (readonly-complete.ts). */
  complete(host: string, text: string): string[] {
    return completeCommand(text, this.current.configs.get(host));
  }

  /** The lab as a case (FORMAT.md §1) with every host's setup in canonical form: for saving, sharing and the case export. */
  snapshot(): Case {
    return scenarioToCase(this.current.scenario, this.current.configs);
  }

  /**
   * The snapshot of the version current now, made a slice at a time
   * (text/slices.ts): edits may come between its slices, since a version is
   * never changed once made (an edit copies what it changes); `version` says
   * which one it is, so a snapshot overtaken by an edit can be dropped.
   */
  snapshotSliced(): { version: number; work: Sliced<Case> } {
    const { scenario, configs } = this.current;
    return { version: this.version, work: scenarioToCaseSliced(scenario, configs) };
  }

  /** The texts a user exports from a host, or the whole lab as a case file. */
  exportText(host: string | null, what: ExportKind): { ok: true; text: string } | { ok: false; diagnostics: PositionedDiagnostic[] } {
    if (what === 'case') return { ok: true, text: `${JSON.stringify(this.snapshot(), null, 2)}\n` };
    if (what === 'setup') return host && this.current.configs.has(host) ? { ok: true, text: hostScript(this.snapshot(), host) } : hostExport(host, undefined, 'ip-rule');
    return hostExport(host, host ? this.current.configs.get(host) : undefined, what);
  }
}
