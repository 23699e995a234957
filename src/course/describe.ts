// pattern: Functional Core
// The words a checker's verdict uses: a goal written as the predicate the
// issue names (`dropped(probe 2, at: router filter INPUT policy)`), and a walk
// step as a short phrase in English and Chinese, so every `why` can name the
// step where the goal was decided and the page can jump to it.

import type { WalkStep } from '../engine/walk-log';
import type { DropPlace, Goal, PacketPick, Question, Text } from './types';

export function pickText(p: PacketPick): string {
  const dir = p.reply ? 'reply' : 'request';
  const nth = (p.nth ?? 1) === 1 ? '' : ` #${p.nth}`;
  return `probe ${p.probe} ${dir}${nth}${p.host ? ` at ${p.host}` : ''}`;
}

function placeText(a: DropPlace): string {
  const parts = [a.host, a.table, a.chain, a.rule === undefined ? undefined : a.rule === 'policy' ? 'policy' : `rule ${a.rule}`, a.reason, a.rejectWith && `with ${a.rejectWith}`];
  return parts.filter((x) => x !== undefined).join(' ');
}

function questionText(q: Question): string {
  switch (q.kind) {
    case 'count':
      return `count(probe ${q.probe} at ${q.host}, ${q.table} ${q.chain})`;
    default:
      return `${q.kind}(${pickText(q.pick)})`;
  }
}

/** The goal as a predicate, the CLI's `goal` field. */
export function goalText(g: Goal): string {
  switch (g.kind) {
    case 'delivered':
      return `delivered(probe ${g.probe}, to: ${g.to})`;
    case 'outcome':
      return `outcome(probe ${g.probe}, ${g.outcome})`;
    case 'dropped':
      return `dropped(${pickText(g.pick)}, at: ${placeText(g.at)})`;
    case 'traverses':
      return `${g.expect ? '' : 'not '}traverses(${pickText(g.pick)}, ${g.table} ${g.chain})`;
    case 'ct_state':
      return `ct_state(${pickText(g.pick)}, ${g.state})`;
    case 'nat': {
      const t = Object.entries(g.tuple)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `nat(${pickText(g.pick)}, ${t}${g.binding ? `, binding ${g.binding}` : ''})`;
    }
    case 'route': {
      const parts = [g.pref !== undefined && `pref ${g.pref}`, g.table !== undefined && `table ${g.table}`, g.oif !== undefined && `oif ${g.oif}`].filter(Boolean);
      return `route(${pickText(g.pick)}, ${parts.join(', ')})`;
    }
    case 'ipvs':
      return `ipvs(${pickText(g.pick)}, ${g.server}, ${g.method})`;
    case 'sysctl':
      return `sysctl(${g.host}, ${g.key}, ${g.value})`;
    case 'commands':
      return `commands ≤ ${g.max}`;
    case 'answer':
      return `answer(${questionText(g.question)})`;
  }
}

/** One walk step in a few words: `step 14 on router: filter FORWARD policy DROP`. */
export function stepText(s: WalkStep): Text {
  const head = { en: `step ${s.i} on ${s.host}`, zh: `第 ${s.i} 步（${s.host}）` };
  const what = stepWhat(s);
  return { en: `${head.en}: ${what.en}`, zh: `${head.zh}：${what.zh}` };
}

function stepWhat(s: WalkStep): Text {
  switch (s.kind) {
    case 'ingress':
      return { en: `arrives on ${s.iface}`, zh: `从 ${s.iface} 进入` };
    case 'originate':
      return { en: `made by ${s.by}`, zh: `由 ${s.by} 生成` };
    case 'rule': {
      const where = `${s.table} ${s.chain}`;
      if (s.type === 'policy') return { en: `${where} policy ${s.target ?? ''}`.trim(), zh: `${where} 默认策略 ${s.target ?? ''}`.trim() };
      if (s.type === 'return') return { en: `${where} returns`, zh: `${where} 返回` };
      return { en: `${where} rule ${s.rulenum}${s.target ? ` (-j ${s.target})` : ''}`, zh: `${where} 第 ${s.rulenum} 条规则${s.target ? `（-j ${s.target}）` : ''}` };
    }
    case 'note':
      return noteWhat(s.note);
    case 'end':
      return { en: s.summary, zh: endZh(s) };
  }
}

function noteWhat(n: WalkStep & { kind: 'note' } extends { note: infer N } ? N : never): Text {
  switch (n.kind) {
    case 'route':
      if (n.decision === 'error') return { en: `routing decision fails (${n.reason ?? 'error'})`, zh: `路由决策失败（${n.reason ?? 'error'}）` };
      return {
        en: `routing decision: ${n.decision}${n.dev ? ` via ${n.dev}` : ''}${n.table ? `, table ${n.table}` : ''}${n.rulePriority !== null ? `, rule ${n.rulePriority}` : ''}`,
        zh: `路由决策：${n.decision}${n.dev ? `，出口 ${n.dev}` : ''}${n.table ? `，路由表 ${n.table}` : ''}${n.rulePriority !== null ? `，策略 ${n.rulePriority}` : ''}`,
      };
    case 'conntrack':
      return { en: `conntrack: ${n.state}`, zh: `连接跟踪：${n.state}` };
    case 'nat': {
      const f = Object.entries(n.fields)
        .map(([k, [a, b]]) => `${k} ${a}→${b}`)
        .join(', ');
      return { en: `NAT at ${n.hook}: ${f}`, zh: `${n.hook} 处 NAT：${f}` };
    }
    case 'ttl':
      return { en: `TTL ${n.from}→${n.to}`, zh: `TTL ${n.from}→${n.to}` };
    case 'ipvs':
      return { en: `IPVS ${n.action}${n.server ? ` to ${n.server}` : ''}${n.method ? ` (${n.method})` : ''}`, zh: `IPVS ${n.action}${n.server ? ` 到 ${n.server}` : ''}${n.method ? `（${n.method}）` : ''}` };
    case 'deliver':
      return { en: `delivered to ${n.to}`, zh: `交给 ${n.to}` };
    case 'qdisc': {
      const s = (ms: number) => String(Number((ms / 1000).toFixed(3)));
      if (n.leftMs === null) return { en: `${n.qdisc} on ${n.dev} drops it`, zh: `${n.dev} 上的 ${n.qdisc} 丢弃它` };
      return n.leftMs === n.arrivedMs ? { en: `${n.qdisc} on ${n.dev} sends it at once`, zh: `${n.dev} 上的 ${n.qdisc} 立即发出` } : { en: `${n.qdisc} on ${n.dev} holds it until ${s(n.leftMs)} s`, zh: `${n.dev} 上的 ${n.qdisc} 扣留到 ${s(n.leftMs)} 秒` };
    }
    case 'transmit':
      return { en: `sent out of ${n.iface}`, zh: `从 ${n.iface} 发出` };
    case 'arp':
      return arpWhat(n);
    case 'tunnel': {
      const outer = n.outer ? ` (${n.outer.src} → ${n.outer.dst} ${n.outer.carrier})` : '';
      if (n.action === 'drop') return { en: `${n.dev} drops it: ${n.reason ?? ''}`, zh: `${n.dev} 丢弃：${n.reason ?? ''}` };
      return n.action === 'encapsulate' ? { en: `${n.dev} encapsulates it${outer}`, zh: `${n.dev} 封装${outer}` } : { en: `${n.dev} decapsulates it${outer}`, zh: `${n.dev} 解封装${outer}` };
    }
  }
}

function arpWhat(n: { op: 'request' | 'queued' | 'reply' | 'failed'; dev: string; target: string; lladdr: string | null }): Text {
  switch (n.op) {
    case 'request':
      return { en: `ARP who-has ${n.target} on ${n.dev}`, zh: `在 ${n.dev} 上发 ARP 请求：谁是 ${n.target}` };
    case 'queued':
      return { en: `waits for the ARP reply for ${n.target} on ${n.dev}`, zh: `在 ${n.dev} 上等待 ${n.target} 的 ARP 应答` };
    case 'reply':
      return { en: `ARP ${n.target} is-at ${n.lladdr ?? '?'}`, zh: `ARP 应答：${n.target} 的 MAC 是 ${n.lladdr ?? '?'}` };
    case 'failed':
      return { en: `ARP for ${n.target} on ${n.dev} failed`, zh: `${n.dev} 上 ${n.target} 的 ARP 解析失败` };
  }
}

function endZh(s: WalkStep & { kind: 'end' }): string {
  const d = s.disposition;
  if (!d) return '没有结果';
  switch (d.verdict) {
    case 'drop':
      return `被 ${d.at.table}:${d.at.chain} ${d.at.type === 'policy' ? '默认策略' : `第 ${d.at.rulenum} 条规则`}丢弃`;
    case 'reject':
      return `被 ${d.at.table}:${d.at.chain} 第 ${d.at.rulenum} 条规则拒绝（${d.with}）`;
    case 'queue':
      return `被 ${d.at.table}:${d.at.chain} 送往用户空间队列`;
    case 'sent':
      return `从 ${d.iface} 发出`;
    case 'local':
      return `交给 ${d.host} 的本地套接字`;
    case 'no_further_hook':
      return `路由后丢弃：${d.reason}`;
    case 'unknown':
      return '没有判决就结束了';
    case 'vanished_after_output':
    case 'vanished_after_forward':
      return `在 ${d.at.table}:${d.at.chain} 之后被丢弃（无规则）`;
  }
}

/** `en` and `zh` from one template per language. */
export function both(en: string, zh: string): Text {
  return { en, zh };
}

/** Two texts joined: `a` then `b`, with a separator fit for each language. */
export function join(a: Text, b: Text, sep: Text = { en: ': ', zh: '：' }): Text {
  return { en: `${a.en}${sep.en}${b.en}`, zh: `${a.zh}${sep.zh}${b.zh}` };
}
