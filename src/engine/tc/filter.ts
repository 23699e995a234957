// pattern: Functional Core
// `tc filter add|del` with the u32 classifier on IPv4 headers (tc/f_u32.c:
// `match ip src|dst PREFIX`, `match ip protocol|sport|dport VALUE MASK`,
// `flowid|classid MAJ:MIN`; net/sched/cls_u32.c). This machine's kernel
// has u32 but no other classifier (matchall, flower…: "Error: TC classifier
// not found.") and no actions (police, drop: "Error: Failed to load TC
// action module."), so a filter can only choose an htb class. Listing
// filters (`tc filter show`, its handles and key offsets) is not modelled.

import type { Diagnostic } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { HostNet } from '../net/config';
import { findLink } from '../net/config';
import { parsePrefix } from '../net/ip-args';
import { tcOf } from './qdisc';
import { kernelError, parseClassid, TcCursor } from './tc-args';
import { major, type TcFilter, type U32Key } from './types';
import { parseU32 } from '../net/ip-args';

export interface FilterCommand {
  verb: 'add' | 'del';
  dev: Word | null;
  filter: TcFilter;
  parentWord: Word | null;
}

const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

export function parseFilter(words: readonly Word[], start: number, diagnostics: Diagnostic[]): FilterCommand | null {
  const c = new TcCursor(words, start, diagnostics);
  const verbWord = c.take();
  const verb = ['add', 'replace'].includes(verbWord.text) ? 'add' : 'delete'.startsWith(verbWord.text) && verbWord.text !== '' ? 'del' : null;
  if (!verb) {
    c.fail(verbWord, `Command "${verbWord.text}" is unknown, try "tc filter help".`, 'tc/unknown-command', 'add or del');
    return null;
  }
  const cmd: FilterCommand = { verb, dev: null, parentWord: null, filter: { parent: 0, prio: 49152, keys: [], flowid: 0 } };
  let kind: Word | null = null;
  while (!c.done && !c.failed) {
    const w = c.take();
    if (w.text === 'dev') cmd.dev = c.arg(w, 'a device name');
    else if (w.text === 'parent' || w.text === 'protocol' || w.text === 'prio' || w.text === 'pref' || w.text === 'priority') {
      const v = c.arg(w, `the value of ${w.text}`);
      if (!v) break;
      if (w.text === 'parent') {
        const id = parseClassid(v.text);
        if (id === null) c.fail(v, `Error: invalid parent ID "${v.text}"`, 'tc/invalid-parent', 'a qdisc handle such as 1:');
        else cmd.filter.parent = id;
        cmd.parentWord = v;
      } else if (w.text === 'protocol') {
        if (v.text !== 'ip' && v.text !== 'all') c.fail(v, `Error: only protocol ip (or all) is modelled, not "${v.text}"`, 'tc/protocol', 'ip');
      } else {
        const n = parseU32(v.text);
        if (n === null || n > 0xffff) c.fail(v, `Illegal "priority"`, 'tc/illegal-value', 'a number 1 to 65535');
        else cmd.filter.prio = n;
      }
    } else if (w.text === 'ingress' || w.text === 'root') {
      cmd.filter.parent = w.text === 'ingress' ? 0xffff0000 : 0xffffffff;
      cmd.parentWord = w;
    } else if (w.text === 'u32') {
      kind = w;
      parseU32Options(c, cmd.filter);
    } else if (['matchall', 'flower', 'basic', 'fw', 'route', 'bpf', 'cgroup', 'flow'].includes(w.text)) {
      c.fail(w, 'Error: TC classifier not found.\nWe have an error talking to the kernel', 'tc/no-classifier', 'u32');
    } else c.fail(w, `What is "${w.text}"?`, 'tc/garbage', 'dev, parent, protocol, prio or u32');
  }
  if (c.failed) return null;
  if (verb === 'add' && !kind) {
    c.fail(verbWord, 'Unknown filter "(null)", hence option "(null)" is unparsable', 'tc/no-kind', 'u32');
    return null;
  }
  return cmd;
}

function parseU32Options(c: TcCursor, f: TcFilter): void {
  while (!c.done && !c.failed) {
    const w = c.take();
    if (w.text === 'match') {
      const ip = c.arg(w, 'ip');
      if (!ip) return;
      if (ip.text !== 'ip') return c.fail(ip, `Illegal "match"`, 'tc/u32-match', 'ip (the IPv4 header)');
      const field = c.arg(ip, 'src, dst, protocol, sport or dport');
      if (!field) return;
      const value = c.arg(field, 'a value');
      if (!value) return;
      if (field.text === 'src' || field.text === 'dst') {
        const p = parsePrefix(value.text);
        if (!p) return c.fail(value, `Illegal "match"`, 'tc/u32-match', 'an IPv4 prefix');
        f.keys.push({ field: field.text, value: p.addr >>> 0, mask: p.len ? (0xffffffff << (32 - p.len)) >>> 0 : 0 });
      } else if (field.text === 'protocol' || field.text === 'sport' || field.text === 'dport') {
        const mask = c.arg(value, 'a mask such as 0xff');
        if (!mask) return;
        const v = PROTOCOLS[value.text] ?? parseU32(value.text);
        const m = parseU32(mask.text);
        if (v === null || m === null) return c.fail(v === null ? value : mask, `Illegal "match"`, 'tc/u32-match', 'a number and a mask');
        f.keys.push({ field: field.text, value: v, mask: m });
      } else return c.fail(field, `Illegal "match"`, 'tc/u32-match', 'src, dst, protocol, sport or dport');
    } else if (w.text === 'flowid' || w.text === 'classid') {
      const v = c.arg(w, 'a class id such as 1:10');
      if (!v) return;
      const id = parseClassid(v.text);
      if (id === null) return c.fail(v, `Illegal "classid"`, 'tc/invalid-classid', 'a class id such as 1:10');
      f.flowid = id;
    } else if (w.text === 'action' || w.text === 'police') {
      return c.fail(w, 'Error: Failed to load TC action module.\nWe have an error talking to the kernel', 'tc/no-action', 'flowid CLASSID');
    } else return c.fail(w, `What is "${w.text}"?`, 'tc/garbage', 'match or flowid');
  }
}

export function applyFilter(net: HostNet, cmd: FilterCommand, span: { from: number; to: number }): Diagnostic[] {
  if (cmd.dev === null) return [kernelError(span, 'Error: Device does not exist.', 'tc/no-dev')];
  const link = findLink(net, cmd.dev.text);
  if (!link) return [kernelError(cmd.dev, `Cannot find device "${cmd.dev.text}"`, 'tc/no-device')];
  const tc = tcOf(link);
  const at = cmd.parentWord ?? cmd.dev;
  const q = tc.qdiscs.find((x) => x.handle === cmd.filter.parent || (cmd.filter.parent === 0xffffffff && x.parent === 0xffffffff));
  if (!q) return [kernelError(at, 'Error: Parent Qdisc doesn\'t exists.', 'tc/no-qdisc')];
  const filters = (tc.filters ??= []);
  if (cmd.verb === 'del') {
    tc.filters = filters.filter((f) => f.parent !== q.handle || (cmd.filter.prio !== 49152 && f.prio !== cmd.filter.prio));
    return [];
  }
  if (q.options.kind !== 'htb') return [kernelError(at, 'Error: Class doesn\'t support blocks.', 'tc/not-classful')];
  filters.push({ ...cmd.filter, parent: q.handle });
  filters.sort((a, b) => a.prio - b.prio);
  return [];
}

/** The fields of a packet u32 reads. */
export interface U32Packet {
  src: number;
  dst: number;
  protocol: number;
  sport: number | null;
  dport: number | null;
}

const matchKey = (k: U32Key, p: U32Packet): boolean => {
  const v = k.field === 'src' ? p.src : k.field === 'dst' ? p.dst : k.field === 'protocol' ? p.protocol : k.field === 'sport' ? p.sport : p.dport;
  return v !== null && ((v & k.mask) >>> 0) === ((k.value & k.mask) >>> 0);
};

/** htb_classify through the qdisc's filters: the first matching one's class, else null (the default class decides). */
export function classify(filters: readonly TcFilter[] | undefined, qdisc: number, p: U32Packet): number | null {
  for (const f of filters ?? []) if (major(f.parent) === major(qdisc) && f.keys.every((k) => matchKey(k, p))) return f.flowid;
  return null;
}
