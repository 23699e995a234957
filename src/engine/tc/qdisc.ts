// pattern: Functional Core
// `tc qdisc add|replace|change|del|show` (tc/tc_qdisc.c with q_fifo.c,
// q_tbf.c, q_htb.c and q_ingress.c for the options; net/sched/sch_api.c
// tc_modify_qdisc / tc_get_qdisc for what the kernel accepts). Messages are
// the ones recorded in __fixtures__/tc/writes.golden.txt where the
// recording has them.

import type { Diagnostic } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { HostNet, Link } from '../net/config';
import { findLink } from '../net/config';
import { kernelError, parseClassid, parseQdiscHandle, TcCursor } from './tc-args';
import { formatHandle, handle, INGRESS_HANDLE, major, TC_H_INGRESS, TC_H_ROOT, TX_QUEUE_LEN, type Handle, type Qdisc, type QdiscOptions, type TcDevice } from './types';
import { formatRate, formatSize, formatTime, ticksToUsec, USEC_PER_SEC, xmitSize, xmitTicks } from './units';

export type QdiscVerb = 'add' | 'replace' | 'change' | 'del' | 'show';

export interface QdiscCommand {
  verb: QdiscVerb;
  dev: Word | null;
  /** TC_H_ROOT, TC_H_INGRESS or a class id; null: not given */
  parent: Handle | null;
  parentWord: Word | null;
  handle: Handle | null;
  options: QdiscOptions | null;
  /** the kind's word, for the kernel's answers about it */
  kindWord: Word | null;
}

const VERBS: [string, QdiscVerb][] = [['add', 'add'], ['replace', 'replace'], ['change', 'change'], ['delete', 'del'], ['show', 'show'], ['list', 'show'], ['lst', 'show']];

export const TBF_USAGE = 'Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]\n\t[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]';
const PFIFO_USAGE = 'Usage: pfifo [ limit NUMBER ]';
const HTB_USAGE = 'Usage: ... qdisc add ... htb [default N] [r2q N]\n                      [direct_qlen P] [offload]';

/** The words after `tc [-s] qdisc`: verb, where, handle, kind and the kind's options. */
export function parseQdisc(words: readonly Word[], start: number, diagnostics: Diagnostic[]): QdiscCommand | null {
  const c = new TcCursor(words, start, diagnostics);
  const verbWord = c.done ? null : c.take();
  const verb = verbWord === null ? 'show' : VERBS.find(([name]) => name.startsWith(verbWord.text) && verbWord.text !== '')?.[1];
  if (!verb) {
    c.fail(verbWord!, `Command "${verbWord!.text}" is unknown, try "tc qdisc help".`, 'tc/unknown-command', 'add, replace, change, del or show');
    return null;
  }
  const cmd: QdiscCommand = { verb, dev: null, parent: null, parentWord: null, handle: null, options: null, kindWord: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    if (w.text === 'dev') {
      const d = c.arg(w, 'a device name');
      if (d) cmd.dev = d;
    } else if (w.text === 'root' || w.text === 'ingress' || w.text === 'clsact') {
      if (cmd.parent !== null) c.fail(w, '"root" is duplicate parent ID', 'tc/duplicate-parent');
      cmd.parent = w.text === 'root' ? TC_H_ROOT : TC_H_INGRESS;
      cmd.parentWord = w;
      if (w.text === 'ingress' && verb !== 'show') {
        cmd.options = { kind: 'ingress' };
        cmd.kindWord = w;
        cmd.handle ??= INGRESS_HANDLE;
      }
      if (w.text === 'clsact') c.fail(w, 'Error: Specified qdisc kind is unknown.', 'tc/unknown-kind', 'pfifo, tbf, htb or ingress');
    } else if (w.text === 'parent') {
      const p = c.arg(w, 'a class id such as 1:10');
      if (!p) break;
      const id = parseClassid(p.text);
      if (id === null) c.fail(p, `Error: invalid parent ID "${p.text}"`, 'tc/invalid-parent', 'a class id such as 1:10');
      cmd.parent = id;
      cmd.parentWord = p;
    } else if (w.text === 'handle') {
      const h = c.arg(w, 'a handle such as 1:');
      if (!h) break;
      const id = parseQdiscHandle(h.text);
      if (id === null) c.fail(h, `Error: invalid qdisc ID "${h.text}"`, 'tc/invalid-handle', 'a handle such as 1:');
      else cmd.handle = id;
    } else if (verb === 'show') {
      if (w.text !== 'invisible') c.garbage(w, 'qdisc');
    } else {
      cmd.kindWord = w;
      cmd.options = parseKind(c, w);
      break;
    }
  }
  return c.failed ? null : cmd;
}

function parseKind(c: TcCursor, kind: Word): QdiscOptions | null {
  switch (kind.text) {
    case 'pfifo':
      return parsePfifo(c);
    case 'tbf':
      return parseTbf(c, kind);
    case 'htb':
      return parseHtb(c);
    case 'ingress':
      return { kind: 'ingress' };
  }
  // tc finds no q_KIND.so and sends the kind alone; the kernel knows no such qdisc
  c.fail(kind, 'Error: Specified qdisc kind is unknown.', 'tc/unknown-kind', 'pfifo, tbf, htb or ingress');
  return null;
}

function parsePfifo(c: TcCursor): QdiscOptions | null {
  let limit: number | null = null;
  while (!c.done) {
    const w = c.take();
    if (w.text === 'limit') {
      const v = c.arg(w, 'a number of packets');
      if (!v) return null;
      if (!/^\d+$/.test(v.text)) {
        c.illegal('pfifo', 'limit', v, 'a number of packets');
        return null;
      }
      limit = Number(v.text);
    } else {
      c.fail(w, `pfifo: unknown parameter "${w.text}"\n${PFIFO_USAGE}`, 'tc/unknown-parameter', 'limit NUMBER');
      return null;
    }
  }
  return { kind: 'pfifo', limit };
}

function parseTbf(c: TcCursor, kind: Word): QdiscOptions | null {
  let rate: number | null = null;
  let burst: number | null = null;
  let limit: number | null = null;
  let latency: number | null = null;
  while (!c.done) {
    const w = c.take();
    const v = ['limit', 'latency', 'lat', 'burst', 'buffer', 'maxburst', 'rate'].includes(w.text) ? c.arg(w, `the value of ${w.text}`) : null;
    if (c.failed) return null;
    if (w.text === 'limit') {
      if (latency !== null) return refuse(c, w, 'tbf: "limit" and "latency" are mutually exclusive');
      limit = c.size('tbf', 'limit', v!);
    } else if (w.text === 'latency' || w.text === 'lat') {
      if (limit !== null) return refuse(c, w, 'tbf: "limit" and "latency" are mutually exclusive');
      latency = c.time('tbf', 'latency', v!);
    } else if (w.text === 'burst' || w.text === 'buffer' || w.text === 'maxburst') {
      burst = c.size('tbf', 'burst', v!);
    } else if (w.text === 'rate') {
      rate = c.rate('tbf', 'rate', v!);
    } else {
      return refuse(c, w, `tbf: unknown parameter "${w.text}"\n${TBF_USAGE}`);
    }
    if (c.failed) return null;
  }
  const missing: string[] = [];
  if (rate === null) missing.push('tbf: the "rate" parameter is mandatory.');
  if (burst === null) missing.push('tbf: the "burst" parameter is mandatory.');
  if (limit === null && latency === null) missing.push('tbf: either "limit" or "latency" is required.');
  if (missing.length) return refuse(c, kind, `${missing.join('\n')}\n${TBF_USAGE}`, 'rate, burst, and limit or latency');
  const bufferTicks = xmitTicks(rate!, burst!);
  // tbf_parse_opt: a latency becomes the limit that lets a packet wait that long
  const lim = limit ?? Math.floor((rate! * latency!) / USEC_PER_SEC + burst!);
  return { kind: 'tbf', rate: rate!, burst: burst!, bufferTicks, limit: lim };
}

function parseHtb(c: TcCursor): QdiscOptions | null {
  let defaultClass = 0;
  let r2q = 10;
  while (!c.done) {
    const w = c.take();
    if (w.text === 'default' || w.text === 'r2q') {
      const v = c.arg(w, 'a number');
      if (!v) return null;
      // htb_parse_opt reads `default` in hex, r2q in decimal
      const n = w.text === 'default' ? (/^(0x)?[0-9a-fA-F]+$/.test(v.text) ? parseInt(v.text, 16) : null) : /^\d+$/.test(v.text) ? Number(v.text) : null;
      if (n === null) return refuse(c, v, `Illegal "${w.text}"`);
      if (w.text === 'default') defaultClass = n;
      else r2q = n;
    } else return refuse(c, w, `What is "${w.text}"?\n${HTB_USAGE}`);
  }
  return { kind: 'htb', defaultClass, r2q, directQlen: TX_QUEUE_LEN };
}

function refuse(c: TcCursor, w: Word, message: string, expected?: string): null {
  c.fail(w, message, 'tc/bad-option', expected);
  return null;
}

// ------------------------------------------------------------------ applying

export function tcOf(link: Link): TcDevice {
  return (link.tc ??= { qdiscs: [], classes: [] });
}

const rootOf = (tc: TcDevice | undefined): Qdisc | undefined => tc?.qdiscs.find((q) => q.parent === TC_H_ROOT);

/** qdisc_alloc_handle: the next free 8001:-style handle (the kernel's counter is machine-wide; here it counts per host) */
function autoHandle(net: HostNet): Handle {
  let top = 0x8000;
  for (const l of net.links) for (const q of l.tc?.qdiscs ?? []) if (major(q.handle) >= 0x8001 && major(q.handle) < 0xffff) top = Math.max(top, major(q.handle));
  return handle(top + 1, 0);
}

/** Drop a qdisc and what hangs under it (qdisc_destroy: its classes and their leaf qdiscs). */
function removeTree(tc: TcDevice, q: Qdisc): void {
  const classes = tc.classes.filter((k) => major(k.classid) === major(q.handle));
  tc.classes = tc.classes.filter((k) => !classes.includes(k));
  const children = tc.qdiscs.filter((x) => classes.some((k) => k.classid === x.parent));
  tc.qdiscs = tc.qdiscs.filter((x) => x !== q);
  if (tc.filters) tc.filters = tc.filters.filter((f) => f.parent !== q.handle);
  for (const ch of children) removeTree(tc, ch);
}

export function applyQdisc(net: HostNet, cmd: QdiscCommand, span: { from: number; to: number }): Diagnostic[] {
  if (cmd.dev === null) return [kernelError(span, cmd.verb === 'del' ? 'Error: Cannot find specified qdisc on specified device.' : 'Error: Device does not exist.', 'tc/no-dev')];
  const link = findLink(net, cmd.dev.text);
  if (!link) return [kernelError(cmd.dev, `Cannot find device "${cmd.dev.text}"`, 'tc/no-device')];
  const tc = tcOf(link);
  const at = cmd.parentWord ?? cmd.dev;
  if (cmd.verb === 'del') {
    const target = cmd.parent === TC_H_ROOT ? rootOf(tc) : cmd.parent === TC_H_INGRESS ? tc.qdiscs.find((q) => q.parent === TC_H_INGRESS) : tc.qdiscs.find((q) => q.parent === cmd.parent || q.handle === cmd.handle);
    if (!target) return [kernelError(at, cmd.parent === TC_H_ROOT ? 'Error: Cannot delete qdisc with handle of zero.' : 'Error: Cannot find specified qdisc on specified device.', 'tc/no-qdisc')];
    if (cmd.handle !== null && cmd.handle !== target.handle) return [kernelError(at, 'Error: Invalid handle.', 'tc/invalid-handle')];
    removeTree(tc, target);
    return [];
  }
  if (!cmd.options) return [kernelError(span, 'Error: Qdisc kind is required.', 'tc/no-kind')];
  if (cmd.parent === null) return [kernelError(span, 'Error: Parent is required: root, ingress or parent CLASSID.', 'tc/no-parent')];
  const ingress = cmd.options.kind === 'ingress';
  if (ingress !== (cmd.parent === TC_H_INGRESS)) return [kernelError(cmd.kindWord ?? at, ingress ? 'Error: Ingress qdisc can only be attached at ingress.' : 'Error: Specified qdisc kind is not valid at ingress.', 'tc/wrong-place')];
  if (cmd.parent !== TC_H_ROOT && cmd.parent !== TC_H_INGRESS && !tc.classes.some((k) => k.classid === cmd.parent)) {
    return [kernelError(at, 'Error: Failed to find qdisc with specified classid.', 'tc/no-class')];
  }
  const old = tc.qdiscs.find((q) => q.parent === cmd.parent);
  const sameHandle = old && (cmd.handle === null || cmd.handle === old.handle);
  if (old && (cmd.verb === 'change' || (cmd.verb === 'replace' && sameHandle))) {
    // the same qdisc, changed in place (qdisc_change): its kind must be the one asked for
    if (old.options.kind !== cmd.options.kind) return [kernelError(cmd.kindWord ?? at, 'Error: Invalid qdisc name: must match existing qdisc.', 'tc/invalid-name')];
    old.options = cmd.options;
    return [];
  }
  if (cmd.verb === 'change') return [kernelError(at, 'Error: Specified qdisc not found.', 'tc/no-qdisc')];
  if (old && cmd.verb === 'add') return [kernelError(at, cmd.handle !== null && cmd.handle === old.handle ? 'Error: Exclusivity flag on, cannot modify.' : 'Error: NLM_F_REPLACE needed to override.', 'tc/exists')];
  if (cmd.handle !== null && !ingress && tc.qdiscs.some((q) => q.handle === cmd.handle)) return [kernelError(at, 'Error: Exclusivity flag on, cannot modify.', 'tc/exists')];
  if (old) removeTree(tc, old);
  const h = ingress ? INGRESS_HANDLE : cmd.handle ?? autoHandle(net);
  const q: Qdisc = { handle: h, parent: cmd.parent, options: cmd.options };
  // the kernel dumps the root first, then the qdiscs under its classes, then ingress
  tc.qdiscs.push(q);
  tc.qdiscs.sort((a, b) => order(a) - order(b));
  return [];
}

const order = (q: Qdisc): number => (q.parent === TC_H_ROOT ? 0 : q.parent === TC_H_INGRESS ? 2 : 1);

// ------------------------------------------------------------------ showing

/** The counters `tc -s` prints under a qdisc. */
export interface QdiscStats {
  bytes: number;
  packets: number;
  dropped: number;
  overlimits: number;
  backlogBytes: number;
  backlogPackets: number;
}

export const NO_STATS: QdiscStats = { bytes: 0, packets: 0, dropped: 0, overlimits: 0, backlogBytes: 0, backlogPackets: 0 };

/** What a device's root is when tc set none: noqueue once it was up (veths and bridges), noop before. */
export function rootKindName(link: Link): string {
  return rootOf(link.tc)?.options.kind ?? (link.up || link.everUp ? 'noqueue' : 'noop');
}

function optionsText(o: QdiscOptions): string {
  switch (o.kind) {
    case 'pfifo':
      return `limit ${o.limit ?? TX_QUEUE_LEN}p`;
    case 'tbf': {
      // tbf_print_opt: the latency a full queue means, after the burst's share
      const lat = (USEC_PER_SEC * o.limit) / o.rate - ticksToUsec(o.bufferTicks);
      return `rate ${formatRate(o.rate)} burst ${formatSize(xmitSize(o.rate, o.bufferTicks))} lat ${formatTime(lat)} `;
    }
    case 'htb':
      return `r2q ${o.r2q} default 0x${o.defaultClass.toString(16)} direct_packets_stat DIRECT direct_qlen ${o.directQlen}`;
    case 'ingress':
      return '---------------- ';
  }
}

/**
 * `tc [-s] qdisc show [dev DEV]` as tc prints it: `stats` gives the
 * counters of a qdisc on a device (null: the line alone), `direct` htb's
 * direct_packets_stat.
 */
export function formatQdiscShow(links: readonly Link[], devName: string | null, stats: ((dev: string, q: Qdisc | null) => QdiscStats) | null, direct: (dev: string) => number = () => 0, which: 'root' | 'ingress' | null = null): string {
  let out = '';
  for (const l of links) {
    if (devName !== null && l.name !== devName) continue;
    const dev = devName === null ? `dev ${l.name} ` : '';
    const root = rootOf(l.tc);
    const list: (Qdisc | null)[] = root ? [...(l.tc?.qdiscs ?? [])] : [null, ...(l.tc?.qdiscs ?? [])];
    for (const q of list) {
      if (which === 'ingress' && q?.parent !== TC_H_INGRESS) continue;
      if (which === 'root' && q !== null && q.parent !== TC_H_ROOT) continue;
      let line: string;
      if (q === null) line = `qdisc ${rootKindName(l)} 0: ${dev}root refcnt 2 `;
      else {
        const where = q.parent === TC_H_ROOT ? 'root refcnt 3 ' : q.parent === TC_H_INGRESS ? 'parent ffff:fff1 ' : `parent ${formatHandle(q.parent)} `;
        line = `qdisc ${q.options.kind} ${formatHandle(q.handle)} ${dev}${where}${optionsText(q.options).replace('DIRECT', String(direct(l.name)))}`;
      }
      out += `${line}\n`;
      if (stats) {
        const s = stats(l.name, q);
        out += ` Sent ${s.bytes} bytes ${s.packets} pkt (dropped ${s.dropped}, overlimits ${s.overlimits} requeues 0) \n backlog ${s.backlogBytes}b ${s.backlogPackets}p requeues 0\n`;
      }
    }
  }
  return out;
}
