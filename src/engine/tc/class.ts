// pattern: Functional Core
// `tc class add|replace|change|del|show` for htb classes (tc/tc_class.c,
// tc/q_htb.c htb_parse_class_opt and htb_print_opt; net/sched/sch_htb.c
// htb_change_class). A class's burst defaults to rate / HZ + mtu, where
// tc's HZ is the psched clock's resolution (1e9 here), so 1600 bytes.

import type { Diagnostic } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { HostNet, Link } from '../net/config';
import { findLink } from '../net/config';
import { tcOf } from './qdisc';
import { kernelError, parseClassid, TcCursor } from './tc-args';
import { formatHandle, handle, major, minor, TC_H_ROOT, type Handle, type HtbClass } from './types';
import { formatRate, formatSize, xmitSize, xmitTicks } from './units';

export type ClassVerb = 'add' | 'replace' | 'change' | 'del' | 'show';

export interface ClassCommand {
  verb: ClassVerb;
  dev: Word | null;
  parent: Handle | null;
  parentWord: Word | null;
  classid: Handle | null;
  classidWord: Word | null;
  /** htb's options (add, replace, change) */
  htb: Omit<HtbClass, 'classid' | 'parent'> | null;
}

const VERBS: [string, ClassVerb][] = [['add', 'add'], ['replace', 'replace'], ['change', 'change'], ['delete', 'del'], ['show', 'show'], ['list', 'show'], ['lst', 'show']];
const MTU = 1600;
/** get_hz(): tc's HZ is the psched clock resolution from /proc/net/psched */
const HZ = 1e9;

export function parseClass(words: readonly Word[], start: number, diagnostics: Diagnostic[]): ClassCommand | null {
  const c = new TcCursor(words, start, diagnostics);
  const verbWord = c.done ? null : c.take();
  const verb = verbWord === null ? 'show' : VERBS.find(([name]) => verbWord.text !== '' && name.startsWith(verbWord.text))?.[1];
  if (!verb) {
    c.fail(verbWord!, `Command "${verbWord!.text}" is unknown, try "tc class help".`, 'tc/unknown-command', 'add, replace, change, del or show');
    return null;
  }
  const cmd: ClassCommand = { verb, dev: null, parent: null, parentWord: null, classid: null, classidWord: null, htb: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    if (w.text === 'dev') cmd.dev = c.arg(w, 'a device name');
    else if (w.text === 'root') {
      cmd.parent = TC_H_ROOT;
      cmd.parentWord = w;
    } else if (w.text === 'parent' || w.text === 'classid') {
      const v = c.arg(w, 'a class id such as 1:10');
      if (!v) break;
      const id = parseClassid(v.text);
      if (id === null) {
        c.fail(v, `Error: invalid ${w.text === 'parent' ? 'parent ID' : 'class ID'} "${v.text}"`, 'tc/invalid-classid', 'a class id such as 1:10');
        break;
      }
      if (w.text === 'parent') {
        cmd.parent = id;
        cmd.parentWord = v;
      } else {
        cmd.classid = id;
        cmd.classidWord = v;
      }
    } else if (verb === 'show') c.garbage(w, 'class');
    else if (w.text === 'htb') cmd.htb = parseHtbClass(c, w);
    else c.fail(w, `Error: Specified class kind "${w.text}" is not one this engine has; htb is`, 'tc/unknown-kind', 'htb');
  }
  return c.failed ? null : cmd;
}

function parseHtbClass(c: TcCursor, kind: Word): ClassCommand['htb'] {
  let rate: number | null = null;
  let ceil: number | null = null;
  let burst: number | null = null;
  let cburst: number | null = null;
  let prio = 0;
  while (!c.done) {
    const w = c.take();
    const v = c.arg(w, `the value of ${w.text}`);
    if (!v) return null;
    if (w.text === 'rate') rate = c.rate('htb', 'rate', v);
    else if (w.text === 'ceil') ceil = c.rate('htb', 'ceil', v);
    else if (w.text === 'burst' || w.text === 'buffer' || w.text === 'maxburst') burst = c.size('htb', 'burst', v);
    else if (w.text === 'cburst' || w.text === 'cbuffer' || w.text === 'cmaxburst') cburst = c.size('htb', 'cburst', v);
    else if (w.text === 'prio') {
      if (!/^\d+$/.test(v.text) || Number(v.text) > 7) c.fail(v, 'Illegal "prio"', 'tc/illegal-value', 'a priority 0 to 7');
      else prio = Number(v.text);
    } else {
      c.fail(w, `What is "${w.text}"?`, 'tc/unknown-parameter', 'rate, ceil, burst, cburst or prio');
    }
    if (c.failed) return null;
  }
  if (rate === null) {
    c.fail(kind, '"rate" is required.', 'tc/no-rate', 'rate RATE');
    return null;
  }
  const ceil2 = ceil ?? rate;
  const bytes = burst ?? Math.floor(rate / HZ + MTU);
  const cbytes = cburst ?? Math.floor(ceil2 / HZ + MTU);
  return { rate, ceil: ceil2, burst: bytes, cburst: cbytes, bufferTicks: xmitTicks(rate, bytes), cbufferTicks: xmitTicks(ceil2, cbytes), prio };
}

export function applyClass(net: HostNet, cmd: ClassCommand, span: { from: number; to: number }): Diagnostic[] {
  if (cmd.dev === null) return [kernelError(span, 'Error: Device does not exist.', 'tc/no-dev')];
  const link = findLink(net, cmd.dev.text);
  if (!link) return [kernelError(cmd.dev, `Cannot find device "${cmd.dev.text}"`, 'tc/no-device')];
  const tc = tcOf(link);
  const at = cmd.classidWord ?? cmd.parentWord ?? cmd.dev;
  if (cmd.verb === 'del') {
    const k = tc.classes.find((x) => x.classid === cmd.classid);
    if (!k) return [kernelError(at, 'RTNETLINK answers: No such file or directory', 'tc/no-class')];
    // htb_delete: a class with children or a filter pointing at it stays
    if (tc.classes.some((x) => x.parent === k.classid) || tc.filters?.some((f) => f.flowid === k.classid)) return [kernelError(at, 'Error: HTB class in use.', 'tc/busy')];
    tc.classes = tc.classes.filter((x) => x !== k);
    tc.qdiscs = tc.qdiscs.filter((q) => q.parent !== k.classid);
    return [];
  }
  if (!cmd.htb) return [kernelError(span, 'Error: Class kind and options are required: htb rate RATE.', 'tc/no-kind')];
  // the qdisc the class belongs to: its parent's major (tc_ctl_tclass)
  const parent = cmd.parent ?? TC_H_ROOT;
  const qmajor = parent === TC_H_ROOT ? (cmd.classid !== null ? major(cmd.classid) : 0) : major(parent);
  const q = tc.qdiscs.find((x) => major(x.handle) === qmajor);
  if (!q) return [kernelError(at, 'RTNETLINK answers: No such file or directory', 'tc/no-qdisc')];
  if (q.options.kind !== 'htb') return [kernelError(at, 'Error: Qdisc not classful.', 'tc/not-classful')];
  if (parent !== TC_H_ROOT && minor(parent) !== 0 && !tc.classes.some((x) => x.classid === parent)) return [kernelError(at, 'RTNETLINK answers: No such file or directory', 'tc/no-parent')];
  const classid = cmd.classid ?? handle(qmajor, 0);
  if (minor(classid) === 0) return [kernelError(at, 'Error: Class id is required (classid MAJ:MIN).', 'tc/no-classid')];
  const existing = tc.classes.find((x) => x.classid === classid);
  const k: HtbClass = { classid, parent: parent === TC_H_ROOT || minor(parent) === 0 ? q.handle : parent, ...cmd.htb };
  if (existing) {
    if (cmd.verb === 'add') return [kernelError(at, 'RTNETLINK answers: File exists', 'tc/exists')];
    Object.assign(existing, k);
    return [];
  }
  if (cmd.verb === 'change') return [kernelError(at, 'RTNETLINK answers: No such file or directory', 'tc/no-class')];
  tc.classes.push(k);
  tc.classes.sort((a, b) => a.classid - b.classid);
  return [];
}

/** `tc class show dev DEV` */
export function formatClassShow(link: Link): string {
  const tc = link.tc;
  if (!tc) return '';
  let out = '';
  for (const k of tc.classes) {
    const q = tc.qdiscs.find((x) => major(x.handle) === major(k.classid));
    const where = q && k.parent === q.handle ? 'root ' : `parent ${formatHandle(k.parent)} `;
    const leafQ = tc.qdiscs.find((x) => x.parent === k.classid);
    const inner = tc.classes.some((x) => x.parent === k.classid);
    const leaf = leafQ ? `leaf ${formatHandle(leafQ.handle)} ` : '';
    const prio = inner ? '' : `prio ${k.prio} `;
    out += `class htb ${formatHandle(k.classid)} ${where}${leaf}${prio}rate ${formatRate(k.rate)} ceil ${formatRate(k.ceil)} burst ${formatSize(xmitSize(k.rate, k.bufferTicks))} cburst ${formatSize(xmitSize(k.ceil, k.cbufferTicks))} \n`;
  }
  return out;
}
