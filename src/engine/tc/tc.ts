// pattern: Functional Core
// `tc`: the command as a setup line or a console edit (qdisc and class
// changes), as a console query (`tc [-s] qdisc show`, `tc class show`),
// and the egress qdisc's verdict on a frame a walk sends. The objects live
// in their own modules (qdisc.ts, class.ts) and share tc-args.ts; the
// clock is shaper.ts.
//
// Ground truth: __fixtures__/tc in engine/lab (record.py runs the cases on
// this machine's kernel with iproute2 6.1's tc; tc.test.ts compares).
// This kernel has the u32 classifier but no other (matchall, flower) and
// no actions (police, drop: "Error: Failed to load TC action module."), so
// a filter can only choose an htb class (filter.ts), and an ingress qdisc
// has nothing to run: it counts nothing and drops nothing.

import type { Diagnostic } from '../text/diagnostics';
import { splitWords, type Word } from '../text/shlex';
import type { HostNet, Link } from '../net/config';
import { findLink } from '../net/config';
import { applyClass, formatClassShow, parseClass } from './class';
import { applyFilter, classify, parseFilter, type U32Packet } from './filter';
import { applyQdisc, formatQdiscShow, NO_STATS, parseQdisc, type QdiscStats } from './qdisc';
import { shape, statsAt, type Arrival, type Fate, type HtbLeaf, type Shaped } from './shaper';
import { kernelError, SOURCE } from './tc-args';
import { TC_H_INGRESS, TC_H_ROOT, TX_QUEUE_LEN, type Qdisc, type QdiscOptions, type TcDevice } from './types';

export type { Arrival, Fate } from './shaper';

interface TcLine {
  stats: boolean;
  object: 'qdisc' | 'class' | 'filter';
  objectWord: Word;
  /** index of the first word after the object */
  rest: number;
  words: Word[];
}

const OBJECTS: ['qdisc' | 'class' | 'filter', string[]][] = [
  ['qdisc', ['qdisc', 'qd', 'q']],
  ['class', ['class', 'cl', 'c']],
  ['filter', ['filter', 'f', 'fi', 'fil', 'filt', 'filte']],
];

function readLine(text: string, diagnostics: Diagnostic[]): TcLine | null {
  const words = splitWords(text, 0, SOURCE).words;
  let k = 1;
  let stats = false;
  while (k < words.length && words[k]!.text.startsWith('-')) {
    const o = words[k]!.text;
    if (o === '-s' || '-statistics'.startsWith(o)) stats = true;
    else {
      diagnostics.push(kernelError(words[k]!, `Option "${o}" is unknown, try "tc -help".`, 'tc/unknown-option'));
      return null;
    }
    k++;
  }
  const w = words[k];
  if (!w) {
    diagnostics.push(kernelError({ from: 0, to: text.length }, 'Usage: tc [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { qdisc | class | filter }', 'tc/usage'));
    return null;
  }
  const object = OBJECTS.find(([, names]) => names.includes(w.text))?.[0];
  if (!object) {
    diagnostics.push({ ...kernelError(w, `Object "${w.text}" is unknown, try "tc help".`, 'tc/unknown-object'), expected: 'qdisc, class or filter' });
    return null;
  }
  return { stats, object, objectWord: w, rest: k + 1, words };
}

/** A tc command that changes the host (a setup line or a console edit). */
export function applyTcCommand(net: HostNet, text: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const line = readLine(text, diagnostics);
  if (!line) return diagnostics;
  const span = { from: 0, to: text.length };
  if (line.object === 'filter') {
    const cmd = parseFilter(line.words, line.rest, diagnostics);
    return cmd ? [...diagnostics, ...applyFilter(net, cmd, span)] : diagnostics;
  }
  if (line.object === 'qdisc') {
    const cmd = parseQdisc(line.words, line.rest, diagnostics);
    if (!cmd) return diagnostics;
    if (cmd.verb === 'show') return [kernelError(span, 'tc qdisc show changes nothing: it is a query', 'tc/query')];
    return [...diagnostics, ...applyQdisc(net, cmd, span)];
  }
  const cmd = parseClass(line.words, line.rest, diagnostics);
  if (!cmd) return diagnostics;
  if (cmd.verb === 'show') return [kernelError(span, 'tc class show changes nothing: it is a query', 'tc/query')];
  return [...diagnostics, ...applyClass(net, cmd, span)];
}

/** The frames a device's egress qdisc has seen so far in a walk, and the moment asked about (ns). */
export interface TcTraffic {
  arrivals(dev: string): readonly Arrival[];
  now: number;
}

export interface TcOutput {
  stdout: string;
  stderr: string;
  exit: number;
}

/** `tc … show` (null: the line is an edit, which the console applies). */
export function tcQuery(text: string, net: HostNet, traffic: TcTraffic | null): TcOutput | null {
  const diagnostics: Diagnostic[] = [];
  const line = readLine(text, diagnostics);
  if (!line) return { stdout: '', stderr: diagnostics.map((d) => `${d.message}\n`).join(''), exit: 1 };
  const verb = line.words[line.rest]?.text ?? 'show';
  if (!['show', 'list', 'lst', 'ls'].includes(verb) && verb !== '') return null;
  if (line.object === 'filter') return { stdout: '', stderr: 'tc filter show: listing filters is not modelled (their handles and key offsets); tc qdisc and tc class show are\n', exit: 1 };
  if (line.object === 'class') {
    const cmd = parseClass(line.words, line.rest, diagnostics);
    if (!cmd) return { stdout: '', stderr: diagnostics.map((d) => `${d.message}\n`).join(''), exit: 1 };
    if (!cmd.dev) return { stdout: '', stderr: 'Must specify a device (dev DEV).\n', exit: 1 };
    const link = findLink(net, cmd.dev.text);
    if (!link) return { stdout: '', stderr: `Cannot find device "${cmd.dev.text}"\n`, exit: 1 };
    return { stdout: formatClassShow(link), stderr: '', exit: 0 };
  }
  const cmd = parseQdisc(line.words, line.rest, diagnostics);
  if (!cmd) return { stdout: '', stderr: diagnostics.map((d) => `${d.message}\n`).join(''), exit: 1 };
  if (cmd.dev && !findLink(net, cmd.dev.text)) return { stdout: '', stderr: `Cannot find device "${cmd.dev.text}"\n`, exit: 1 };
  const which = cmd.parent === TC_H_INGRESS ? 'ingress' : cmd.parent === TC_H_ROOT ? 'root' : null;
  const stats = line.stats ? (dev: string, q: Qdisc | null) => qdiscStats(net, traffic, dev, q) : null;
  const direct = (dev: string): number => egress(net, traffic, dev)?.shaped.direct ?? 0;
  return { stdout: formatQdiscShow(net.links, cmd.dev?.text ?? null, stats, direct, which), stderr: '', exit: 0 };
}

/** The leaf classes of an htb root and the queue each holds (its own qdisc's limit, else tx_queue_len). */
function htbLeaves(tc: TcDevice): HtbLeaf[] {
  return tc.classes
    .filter((k) => !tc.classes.some((x) => x.parent === k.classid))
    .map((cls) => {
      const q = tc.qdiscs.find((x) => x.parent === cls.classid);
      return { cls, limit: q?.options.kind === 'pfifo' ? q.options.limit ?? TX_QUEUE_LEN : TX_QUEUE_LEN };
    });
}

/** The root qdisc that shapes what leaves a device, when tc set one. */
export function egressQdisc(link: Link): { options: QdiscOptions; leaves: HtbLeaf[] } | null {
  const root = link.tc?.qdiscs.find((q) => q.parent === TC_H_ROOT);
  return root ? { options: root.options, leaves: htbLeaves(link.tc!) } : null;
}

/** The htb class a u32 filter of the root qdisc sends the packet to (null: none matched). */
export function egressClass(link: Link, p: U32Packet): number | null {
  const root = link.tc?.qdiscs.find((q) => q.parent === TC_H_ROOT);
  return root?.options.kind === 'htb' ? classify(link.tc!.filters, root.handle, p) : null;
}

/** What the device's egress qdisc does with the last of `arrivals`. */
export function egressFate(link: Link, arrivals: readonly Arrival[]): Fate | null {
  const q = egressQdisc(link);
  if (!q || !arrivals.length) return null;
  return shape(q.options, arrivals, q.leaves).fates[arrivals.length - 1] ?? null;
}

function egress(net: HostNet, traffic: TcTraffic | null, dev: string): { shaped: Shaped; arrivals: readonly Arrival[] } | null {
  const link = findLink(net, dev);
  const q = link ? egressQdisc(link) : null;
  if (!q || !traffic) return null;
  const arrivals = traffic.arrivals(dev).filter((a) => a.at <= traffic.now);
  return { shaped: shape(q.options, arrivals, q.leaves), arrivals };
}

function qdiscStats(net: HostNet, traffic: TcTraffic | null, dev: string, q: Qdisc | null): QdiscStats {
  // noqueue and ingress count nothing: noqueue hands frames to the device, ingress has no filters to run
  if (!q || q.parent === TC_H_INGRESS) return NO_STATS;
  const e = egress(net, traffic, dev);
  if (!e) return NO_STATS;
  const all = statsAt(e.shaped, e.arrivals, traffic!.now);
  if (q.parent === TC_H_ROOT) return all;
  // a leaf qdisc under an htb class: what its class carried, without the class's overlimits
  const link = findLink(net, dev)!;
  const root = link.tc!.qdiscs.find((x) => x.parent === TC_H_ROOT)!;
  const isDefault = root.options.kind === 'htb' && (q.parent & 0xffff) === root.options.defaultClass;
  return isDefault ? { ...all, overlimits: 0 } : NO_STATS;
}
