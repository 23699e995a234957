// pattern: Functional Core
// A device's traffic control as the tc commands that rebuild it on a fresh
// host (the case export, edit/canonical.ts): the root qdisc, the htb
// classes parents first, the qdiscs under classes, the filters, ingress.
// Numbers are written in the units they are kept in (bits a second, bytes),
// so reading the commands back gives the same state.

import type { Link } from '../net/config';
import { formatIpv4 } from '../net/addr';
import { formatHandle, TC_H_INGRESS, TC_H_ROOT, type HtbClass, type QdiscOptions, type TcFilter } from './types';

function kindText(o: QdiscOptions): string {
  switch (o.kind) {
    case 'pfifo':
      return o.limit === null ? 'pfifo' : `pfifo limit ${o.limit}`;
    case 'tbf':
      return `tbf rate ${o.rate * 8}bit burst ${o.burst} limit ${o.limit}`;
    case 'htb':
      return `htb default ${o.defaultClass.toString(16)} r2q ${o.r2q}`;
    case 'ingress':
      return 'ingress';
  }
}

const maskLen = (m: number): number => (m === 0 ? 0 : 32 - Math.log2(((~m >>> 0) + 1) >>> 0 || 2 ** 32));

function filterText(dev: string, f: TcFilter): string {
  const keys = f.keys.map((k) => (k.field === 'src' || k.field === 'dst' ? `match ip ${k.field} ${formatIpv4(k.value)}/${maskLen(k.mask)}` : `match ip ${k.field} ${k.value} 0x${k.mask.toString(16)}`));
  return `tc filter add dev ${dev} parent ${formatHandle(f.parent)} protocol ip prio ${f.prio} u32 ${keys.join(' ')} flowid ${formatHandle(f.flowid)}`;
}

export function tcCommands(link: Link): string[] {
  const tc = link.tc;
  if (!tc) return [];
  const dev = link.name;
  const out: string[] = [];
  const root = tc.qdiscs.find((q) => q.parent === TC_H_ROOT);
  if (root) out.push(`tc qdisc add dev ${dev} root handle ${formatHandle(root.handle)} ${kindText(root.options)}`);
  const depth = (k: HtbClass): number => {
    const p = tc.classes.find((x) => x.classid === k.parent);
    return p ? 1 + depth(p) : 0;
  };
  for (const k of [...tc.classes].sort((a, b) => depth(a) - depth(b) || a.classid - b.classid)) {
    out.push(`tc class add dev ${dev} parent ${formatHandle(k.parent)} classid ${formatHandle(k.classid)} htb rate ${k.rate * 8}bit ceil ${k.ceil * 8}bit burst ${k.burst} cburst ${k.cburst} prio ${k.prio}`);
  }
  for (const q of tc.qdiscs) if (q.parent !== TC_H_ROOT && q.parent !== TC_H_INGRESS) out.push(`tc qdisc add dev ${dev} parent ${formatHandle(q.parent)} handle ${formatHandle(q.handle)} ${kindText(q.options)}`);
  for (const f of tc.filters ?? []) out.push(filterText(dev, f));
  if (tc.qdiscs.some((q) => q.parent === TC_H_INGRESS)) out.push(`tc qdisc add dev ${dev} ingress`);
  return out;
}
