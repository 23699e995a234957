// pattern: Functional Core
// Goals as predicates over the engine's walk: each reads the walk log (and,
// for sysctl, the lab's configuration) and says whether it holds, why, and
// at which walk step that was decided, so the page can jump there. Nothing
// here simulates: every fact comes from the engine's own walk, the same one
// the graph animates.

import type { PacketView, WalkLog, WalkStep } from '../engine/walk-log';
import { goalText, pickText, stepText } from './describe';
import { journeyEnds, packetSteps, pickJourney, pickedPackets, type Journey } from './journey';
import type { CtStateName, DropPlace, Goal, Outcome, PacketPick, Probe, Question, Text } from './types';

export interface GoalContext {
  log: WalkLog;
  probes: readonly Probe[];
  /** a sysctl's value on a host after the solution (undefined: no such key) */
  sysctl(host: string, key: string): string | undefined;
  /** the solution's edit commands */
  commands: number;
  /** a predict-the-path answer (`# answer:` line) */
  answer: string | null;
}

export interface GoalResult {
  goal: Goal;
  /** the goal as a predicate (`delivered(probe 1, to: web)`) */
  text: string;
  met: boolean;
  why: Text;
  /** the walk step where it was decided, null when no step decides it (sysctl, commands) */
  step: number | null;
}

type Verdict = { met: boolean; why: Text; step: number | null };

const t = (en: string, zh: string): Text => ({ en, zh });

function at(step: WalkStep | undefined, en: string, zh: string): { why: Text; step: number | null } {
  if (!step) return { why: t(en, zh), step: null };
  const s = stepText(step);
  return { why: t(`${en} (${s.en})`, `${zh}（${s.zh}）`), step: step.i };
}

function senderOf(ctx: GoalContext, probe: number): string {
  return ctx.probes[probe - 1]?.step.from ?? '';
}

function journeyOf(ctx: GoalContext, pick: PacketPick): Journey | null {
  return pickJourney(ctx.log, pick, senderOf(ctx, pick.probe));
}

function missing(pick: PacketPick): Verdict {
  return { met: false, why: t(`${pickText(pick)}: the walk has no such packet`, `${pickText(pick)}：走查中没有这个包`), step: null };
}

/** The place a journey ended, for a `why` that says where it went instead. */
function endedAt(ctx: GoalContext, j: Journey): { why: Text; step: number | null } {
  const end = journeyEnds(ctx.log, j)[0];
  return at(end, 'it ended elsewhere', '它在别处结束');
}

function delivered(ctx: GoalContext, g: Extract<Goal, { kind: 'delivered' }>): Verdict {
  const pick = { probe: g.probe };
  const j = journeyOf(ctx, pick);
  if (!j) return missing(pick);
  const p = j.packets.find((x) => x.host === g.to && x.disposition?.verdict === 'local');
  if (p) return { met: true, ...at(ctx.log.steps[p.lastStep], `probe ${g.probe} reached a socket on ${g.to}`, `探测包 ${g.probe} 到达了 ${g.to} 的套接字`) };
  const end = endedAt(ctx, j);
  return { met: false, why: t(`probe ${g.probe} never reached a socket on ${g.to}: ${end.why.en}`, `探测包 ${g.probe} 没有到达 ${g.to} 的套接字：${end.why.zh}`), step: end.step };
}

/** The oracle's step result (FORMAT.md §2.1) as one word. */
export function outcomeOf(result: Record<string, unknown>): Outcome | string {
  if ('connect' in result) {
    const c = result.connect;
    if (c === 'established') return 'established';
    if (c === 'ECONNREFUSED') return 'refused';
    if (c === 'timeout') return 'timeout';
    if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH' || c === 'EACCES') return 'icmp_error';
    return String(c);
  }
  const r = result.result;
  if (r === 'error' && result.error === 'ECONNREFUSED') return 'refused';
  return String(r);
}

function outcome(ctx: GoalContext, g: Extract<Goal, { kind: 'outcome' }>): Verdict {
  const s = ctx.log.scenarioSteps.find((x) => x.n === g.probe);
  if (!s) return missing({ probe: g.probe });
  const got = outcomeOf(s.result);
  const step = s.lastStep >= 0 ? ctx.log.steps[s.lastStep] : undefined;
  const met = got === g.outcome;
  const r = at(step, `probe ${g.probe}'s program saw ${got}${met ? '' : `, not ${g.outcome}`}`, `探测包 ${g.probe} 的程序得到 ${got}${met ? '' : `，而不是 ${g.outcome}`}`);
  return { met, ...r };
}

function endMatches(end: WalkStep & { kind: 'end' }, a: DropPlace): boolean {
  if (end.host !== a.host) return false;
  if (end.reason === 'delivered' || end.reason === 'sent') return false;
  const d = end.disposition;
  const ref = d && (d.verdict === 'drop' || d.verdict === 'reject' || d.verdict === 'queue') ? d.at : null;
  if (a.table !== undefined && ref?.table !== a.table) return false;
  if (a.chain !== undefined && ref?.chain !== a.chain) return false;
  if (a.rule === 'policy' && ref?.type !== 'policy') return false;
  if (typeof a.rule === 'number' && (ref?.type === 'policy' || ref?.rulenum !== a.rule)) return false;
  if (a.reason !== undefined && !end.reason.startsWith(a.reason)) return false;
  if (a.rejectWith !== undefined && (d?.verdict !== 'reject' || d.with !== a.rejectWith)) return false;
  return true;
}

function dropped(ctx: GoalContext, g: Extract<Goal, { kind: 'dropped' }>): Verdict {
  const j = journeyOf(ctx, g.pick);
  if (!j) return missing(g.pick);
  const ends = journeyEnds(ctx.log, j);
  const hit = ends.find((e) => endMatches(e, g.at));
  if (hit) return { met: true, ...at(hit, `${pickText(g.pick)} ends where the goal says`, `${pickText(g.pick)} 在目标所说之处结束`) };
  const end = ends[0];
  return { met: false, ...at(end, `${pickText(g.pick)} is not stopped there`, `${pickText(g.pick)} 没有在那里被拦下`) };
}

function ruleStepsIn(ctx: GoalContext, ps: readonly PacketView[], table: string, chain: string): WalkStep[] {
  return ps.flatMap((p) => packetSteps(ctx.log, p).filter((s) => s.kind === 'rule' && s.table === table && s.chain === chain));
}

function traverses(ctx: GoalContext, g: Extract<Goal, { kind: 'traverses' }>): Verdict {
  const j = journeyOf(ctx, g.pick);
  if (!j) return missing(g.pick);
  const ps = pickedPackets(j, g.pick);
  const hit = ruleStepsIn(ctx, ps, g.table, g.chain)[0];
  const where = `${g.table} ${g.chain}`;
  if (hit) return { met: g.expect, ...at(hit, `${pickText(g.pick)} passes ${where}`, `${pickText(g.pick)} 经过 ${where}`) };
  const last = ps.at(-1);
  return { met: !g.expect, ...at(last && ctx.log.steps[last.lastStep], `${pickText(g.pick)} never passes ${where}`, `${pickText(g.pick)} 从未经过 ${where}`) };
}

/** The one packet of a journey at a host (the first, when it passed the host twice). */
function packetAt(ctx: GoalContext, pick: PacketPick & { host: string }): { packet: PacketView } | { fail: Verdict } {
  const j = journeyOf(ctx, pick);
  if (!j) return { fail: missing(pick) };
  const p = pickedPackets(j, pick)[0];
  if (!p) {
    const end = endedAt(ctx, j);
    return { fail: { met: false, why: t(`${pickText(pick)}: it never reached ${pick.host}; ${end.why.en}`, `${pickText(pick)}：它没有到达 ${pick.host}；${end.why.zh}`), step: end.step } };
  }
  return { packet: p };
}

function notesOf(ctx: GoalContext, p: PacketView): (WalkStep & { kind: 'note' })[] {
  return packetSteps(ctx.log, p).filter((s): s is WalkStep & { kind: 'note' } => s.kind === 'note');
}

export function ctStateName(state: string): CtStateName | string {
  return state.replace(/_REPLY$/, '');
}

function ctState(ctx: GoalContext, g: Extract<Goal, { kind: 'ct_state' }>): Verdict {
  const r = packetAt(ctx, g.pick);
  if ('fail' in r) return r.fail;
  const note = notesOf(ctx, r.packet).find((s) => s.note.kind === 'conntrack');
  if (!note || note.note.kind !== 'conntrack') return { met: false, ...at(ctx.log.steps[r.packet.firstStep], `conntrack never saw ${pickText(g.pick)}`, `连接跟踪没有看到 ${pickText(g.pick)}`) };
  const state = ctStateName(note.note.state);
  return { met: state === g.state, ...at(note, `conntrack calls it ${state}`, `连接跟踪认为它是 ${state}`) };
}

function nat(ctx: GoalContext, g: Extract<Goal, { kind: 'nat' }>): Verdict {
  const r = packetAt(ctx, g.pick);
  if ('fail' in r) return r.fail;
  const end = ctx.log.steps[r.packet.lastStep]!;
  const h = end.headers;
  const wrong = Object.entries(g.tuple).filter(([k, v]) => (h as unknown as Record<string, unknown>)[k] !== v);
  const shown = `${h.src}${h.sport !== undefined ? `:${h.sport}` : ''} → ${h.dst}${h.dport !== undefined ? `:${h.dport}` : ''}`;
  if (wrong.length) {
    const w = wrong.map(([k, v]) => `${k} ${String((h as unknown as Record<string, unknown>)[k])} ≠ ${v}`).join(', ');
    return { met: false, ...at(end, `${pickText(g.pick)} leaves as ${shown} (${w})`, `${pickText(g.pick)} 离开时是 ${shown}（${w}）`) };
  }
  if (g.binding) {
    const natNotes = notesOf(ctx, r.packet).filter((s) => s.note.kind === 'nat' && s.note.binding !== undefined);
    const bindings = natNotes.map((s) => (s.note.kind === 'nat' ? s.note.binding : undefined));
    const ok = g.binding === 'new' ? bindings.includes('new') : bindings.length > 0 && bindings.every((b) => b === 'existing');
    const first = natNotes[0] ?? end;
    const said = bindings.length ? bindings.join(', ') : 'none';
    return { met: ok, ...at(first, `${pickText(g.pick)} is ${shown}; its NAT binding: ${said}`, `${pickText(g.pick)} 为 ${shown}；NAT 绑定：${said}`) };
  }
  return { met: true, ...at(end, `${pickText(g.pick)} leaves as ${shown}`, `${pickText(g.pick)} 离开时是 ${shown}`) };
}

function route(ctx: GoalContext, g: Extract<Goal, { kind: 'route' }>): Verdict {
  const r = packetAt(ctx, g.pick);
  if ('fail' in r) return r.fail;
  const notes = notesOf(ctx, r.packet).filter((s) => s.note.kind === 'route');
  const last = notes.at(-1);
  if (!last || last.note.kind !== 'route') return { met: false, ...at(ctx.log.steps[r.packet.lastStep], `${pickText(g.pick)} met no routing decision`, `${pickText(g.pick)} 没有经过路由决策`) };
  const n = last.note;
  const bad: string[] = [];
  if (g.pref !== undefined && n.rulePriority !== g.pref) bad.push(`rule ${n.rulePriority ?? '-'} ≠ ${g.pref}`);
  if (g.table !== undefined && n.table !== g.table) bad.push(`table ${n.table ?? '-'} ≠ ${g.table}`);
  if (g.oif !== undefined && n.dev !== g.oif) bad.push(`oif ${n.dev ?? '-'} ≠ ${g.oif}`);
  const w = bad.join(', ');
  return { met: bad.length === 0, ...at(last, bad.length ? `the routing decision differs: ${w}` : 'the routing decision is the one asked for', bad.length ? `路由决策不同：${w}` : '路由决策符合要求') };
}

function ipvs(ctx: GoalContext, g: Extract<Goal, { kind: 'ipvs' }>): Verdict {
  const r = packetAt(ctx, g.pick);
  if ('fail' in r) return r.fail;
  const note = notesOf(ctx, r.packet).find((s) => s.note.kind === 'ipvs' && s.note.action === 'xmit');
  if (!note || note.note.kind !== 'ipvs') return { met: false, ...at(ctx.log.steps[r.packet.lastStep], `IPVS did not take ${pickText(g.pick)}`, `IPVS 没有接手 ${pickText(g.pick)}`) };
  const ok = note.note.server === g.server && note.note.method === g.method;
  return { met: ok, ...at(note, `IPVS sent it to ${note.note.server} (${note.note.method})`, `IPVS 把它发往 ${note.note.server}（${note.note.method}）`) };
}

function sysctl(ctx: GoalContext, g: Extract<Goal, { kind: 'sysctl' }>): Verdict {
  const v = ctx.sysctl(g.host, g.key);
  return { met: v === g.value, why: t(`${g.key} on ${g.host} is ${v ?? 'unset'}`, `${g.host} 上 ${g.key} 为 ${v ?? '未设置'}`), step: null };
}

/** What the walk says to a predict-the-path question, as a choice's id; null when the walk has no such packet. */
export function questionTruth(ctx: GoalContext, q: Question): { value: string | null; step: number | null } {
  if (q.kind === 'count') {
    const ps = ctx.log.packets.filter((p) => p.step === q.probe && p.host === q.host);
    const passing = ps.filter((p) => ruleStepsIn(ctx, [p], q.table, q.chain).length > 0);
    return { value: String(passing.length), step: passing[0]?.firstStep ?? null };
  }
  const j = journeyOf(ctx, q.pick);
  if (!j) return { value: null, step: null };
  if (q.kind === 'fate') {
    const end = journeyEnds(ctx.log, j)[0];
    return end ? { value: fateId(end), step: end.i } : { value: null, step: null };
  }
  const p = pickedPackets(j, q.pick)[0];
  if (!p) return { value: null, step: null };
  const steps = packetSteps(ctx.log, p);
  switch (q.kind) {
    case 'chains': {
      const names: string[] = [];
      for (const s of steps) if (s.kind === 'rule' && names.at(-1) !== `${s.table} ${s.hook}`) names.push(`${s.table} ${s.hook}`);
      return { value: names.join(', '), step: p.firstStep };
    }
    case 'oif': {
      const end = steps.at(-1);
      const d = end?.kind === 'end' ? end.disposition : null;
      return { value: d?.verdict === 'sent' ? d.iface : null, step: p.lastStep };
    }
    case 'ct-state': {
      const note = steps.find((s) => s.kind === 'note' && s.note.kind === 'conntrack');
      return note?.kind === 'note' && note.note.kind === 'conntrack' ? { value: ctStateName(note.note.state), step: note.i } : { value: null, step: null };
    }
  }
}

/** A journey's end as a fate question's choice id: `delivered web`, `drop filter FORWARD`, `route reverse_path_filter`. */
export function fateId(end: WalkStep & { kind: 'end' }): string {
  const d = end.disposition;
  if (end.reason === 'delivered') return `delivered ${end.host}`;
  if (d && (d.verdict === 'drop' || d.verdict === 'reject')) return `drop ${d.at.table} ${d.at.chain}`;
  if (end.reason.startsWith('route.')) return `route ${end.reason.slice('route.'.length)}`;
  if (d?.verdict === 'sent') return `sent ${end.host} ${d.iface}`;
  return end.reason;
}

function answer(ctx: GoalContext, g: Extract<Goal, { kind: 'answer' }>): Verdict {
  const truth = questionTruth(ctx, g.question);
  const step = truth.step === null ? undefined : ctx.log.steps[truth.step];
  if (ctx.answer === null) return { met: false, why: t('no answer given (a "# answer: …" line)', '没有给出答案（"# answer: …" 行）'), step: null };
  const met = truth.value === ctx.answer;
  return { met, ...at(step, met ? `the walk agrees: ${truth.value}` : `the walk says ${truth.value ?? 'nothing'}, not ${ctx.answer}`, met ? `走查结果一致：${truth.value}` : `走查结果是 ${truth.value ?? '无'}，而不是 ${ctx.answer}`) };
}

function decide(ctx: GoalContext, g: Goal): Verdict {
  switch (g.kind) {
    case 'delivered':
      return delivered(ctx, g);
    case 'outcome':
      return outcome(ctx, g);
    case 'dropped':
      return dropped(ctx, g);
    case 'traverses':
      return traverses(ctx, g);
    case 'ct_state':
      return ctState(ctx, g);
    case 'nat':
      return nat(ctx, g);
    case 'route':
      return route(ctx, g);
    case 'ipvs':
      return ipvs(ctx, g);
    case 'sysctl':
      return sysctl(ctx, g);
    case 'commands':
      return { met: ctx.commands <= g.max, why: t(`the solution runs ${ctx.commands} command${ctx.commands === 1 ? '' : 's'} (budget ${g.max})`, `解答执行了 ${ctx.commands} 条命令（上限 ${g.max}）`), step: null };
    case 'answer':
      return answer(ctx, g);
  }
}

/** Evaluate one goal on a finished walk. */
export function evaluateGoal(ctx: GoalContext, g: Goal): GoalResult {
  return { goal: g, text: goalText(g), ...decide(ctx, g) };
}
