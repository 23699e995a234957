// pattern: Functional Core
// Matches on host-side classification: -m cgroup (the sending socket's
// cgroup, not modelled: a fixed answer explain() documents), -m cluster
// (xt_cluster's hash of the connection over cluster nodes) and -m connlabel
// (conntrack labels). They parse and save like iptables 1.8.9.

import type { MatchContext } from '../types';
import type { CtView } from '../../conntrack/types';
import type { MatchSpec } from './module';
import { parseUInt, saveString } from './module';
import { formatIpv4 } from '../../net/addr';
import { jhash1word, reciprocalScale, wireWord } from '../../net/jhash';

const not = (invert: boolean): string => (invert ? '! ' : '');

// ---------------------------------------------------------------- cgroup

export interface CgroupOptions {
  path: { value: string; invert: boolean } | null;
  classid: { value: number; invert: boolean } | null;
}

export const cgroup: MatchSpec<CgroupOptions> = {
  name: 'cgroup',
  hooks: ['INPUT', 'OUTPUT', 'POSTROUTING'],
  modelled: 'partial',
  options: [
    { name: 'path', arg: true },
    { name: 'cgroup', arg: true },
  ],
  init: () => ({ path: null, classid: null }),
  parse(o, call, sink) {
    if ((call.name === 'path' && o.classid) || (call.name === 'cgroup' && o.path)) {
      sink.error('cgroup: "--path" and "--cgroup" cannot be used together.', call.span);
      return;
    }
    if (call.name === 'path') {
      if (call.arg.length > 4095) sink.error('cgroup: option "--path" must be no more than 4095 characters', call.argSpan);
      else o.path = { value: call.arg, invert: call.invert };
      return;
    }
    const v = parseUInt(call.arg);
    if (v === null || v > 0xffffffff) sink.error('cgroup: bad value for option "--cgroup", or out of range (0-4294967295).', call.argSpan);
    else o.classid = { value: v, invert: call.invert };
  },
  final(o, sink) {
    if (!o.path && !o.classid) sink.error('cgroup: Either --path or --cgroup must be specified');
  },
  save(o) {
    if (o.path) return `${not(o.path.invert)}--path ${saveString(o.path.value)}`;
    return `${not(o.classid!.invert)}--cgroup ${o.classid!.value}`;
  },
  match: () => false,
  explain: () => [{ ok: false, why: 'cgroup: socket cgroups are not modelled, the match never holds' }],
};

// ---------------------------------------------------------------- cluster

export interface ClusterOptions {
  totalNodes: number | null;
  /** bit n-1: node n is local */
  nodeMask: number | null;
  hashSeed: number | null;
  invert: boolean;
}

export const cluster: MatchSpec<ClusterOptions> = {
  name: 'cluster',
  needsConntrack: true,
  options: [
    { name: 'cluster-total-nodes', arg: true, invert: false },
    { name: 'cluster-local-node', arg: true },
    { name: 'cluster-local-nodemask', arg: true },
    { name: 'cluster-hash-seed', arg: true, invert: false },
  ],
  init: () => ({ totalNodes: null, nodeMask: null, hashSeed: null, invert: false }),
  parse(o, call, sink) {
    const v = parseUInt(call.arg);
    const max = call.name === 'cluster-total-nodes' || call.name === 'cluster-local-node' ? 32 : 0xffffffff;
    if (v === null || v > max || (call.name === 'cluster-local-node' && v < 1)) {
      sink.error(`cluster: bad value for option "--${call.name}", or out of range.`, call.argSpan);
      return;
    }
    if (call.name === 'cluster-total-nodes') o.totalNodes = v;
    else if (call.name === 'cluster-hash-seed') o.hashSeed = v;
    else {
      if (o.nodeMask !== null) {
        sink.error('cluster: "--cluster-local-node" and "--cluster-local-nodemask" cannot be used together.', call.span);
        return;
      }
      o.nodeMask = call.name === 'cluster-local-node' ? (1 << (v - 1)) >>> 0 : v;
      o.invert = call.invert;
    }
  },
  final(o, sink) {
    if (o.totalNodes === null || o.nodeMask === null || o.hashSeed === null) {
      sink.error('cluster match: --cluster-total-nodes, --cluster-local-node(mask) and --cluster-hash-seed are required');
      return;
    }
    if (o.nodeMask >= 2 ** o.totalNodes) sink.error('cluster match: node mask cannot be bigger than total number of nodes');
  },
  save: (o) =>
    `${not(o.invert)}--cluster-local-nodemask 0x${(o.nodeMask ?? 0).toString(16).padStart(8, '0')} --cluster-total-nodes ${o.totalNodes ?? 0} --cluster-hash-seed 0x${(o.hashSeed ?? 0).toString(16).padStart(8, '0')}`,
  match: (o, _p, ctx) => clusterClause(o, ctx.ct).ok,
  explain: (o, _p, ctx) => [clusterClause(o, ctx.ct)],
};

/**
 * xt_cluster_mt: the node a connection belongs to is jhash_1word of the
 * original source address (of ct->master for a connection a helper
 * expected) with the seed, scaled to the number of nodes; the match holds
 * when that node's bit is in the local node mask. A packet without a
 * conntrack (untracked, invalid) never matches, inverted or not.
 */
export function clusterNode(src: number, totalNodes: number, hashSeed: number): number {
  return reciprocalScale(jhash1word(wireWord(src), hashSeed), totalNodes);
}

function clusterClause(o: ClusterOptions, ct: CtView | null): { ok: boolean; why: string } {
  const src = ct?.masterOrigSrc ?? ct?.orig?.src;
  if (src === undefined) return { ok: false, why: 'cluster: the packet has no connection to hash' };
  const node = clusterNode(src, o.totalNodes ?? 0, o.hashSeed ?? 0);
  const local = (((o.nodeMask ?? 0) >>> node) & 1) === 1;
  const ok = local !== o.invert;
  const whose = ct?.masterOrigSrc !== undefined ? 'its master connection\'s original source' : 'its original source';
  return { ok, why: `cluster: ${whose} ${formatIpv4(src)} hashes to node ${node + 1} of ${o.totalNodes ?? 0}, ${local ? 'a local node' : 'not a local node'}${o.invert ? ' (inverted)' : ''}` };
}

// ---------------------------------------------------------------- connlabel

export interface ConnlabelOptions {
  bit: number | null;
  invert: boolean;
  set: boolean;
}

export const connlabel: MatchSpec<ConnlabelOptions> = {
  name: 'connlabel',
  needsConntrack: true,
  options: [
    { name: 'label', arg: true },
    { name: 'set', arg: false, invert: false },
  ],
  init: () => ({ bit: null, invert: false, set: false }),
  parse(o, call, sink) {
    if (call.name === 'set') {
      o.set = true;
      return;
    }
    // no /etc/xtables/connlabel.conf in the simulated hosts: only bit numbers
    const v = parseUInt(call.arg, false);
    if (v === null) {
      sink.error(`label '${call.arg}' not found in config file /etc/xtables/connlabel.conf`, call.argSpan);
      return;
    }
    if (v > 127) {
      sink.error(`connlabel: bad value for option "--label", or out of range (0-127).`, call.argSpan);
      return;
    }
    o.bit = v;
    o.invert = call.invert;
  },
  final(o, sink) {
    if (o.bit === null) sink.error('connlabel: option "--label" must be specified');
  },
  save: (o) => `${not(o.invert)}--label "${o.bit ?? 0}"${o.set ? ' --set' : ''}`,
  match: (o, _p, ctx) => connlabelClause(o, ctx).ok,
  explain: (o, _p, ctx) => [connlabelClause(o, ctx, false)],
};

/**
 * connlabel_mt: without a conntrack or a label extension the answer is the
 * invert flag; a set bit matches; --set sets a missing bit (and then
 * matches). The label lives on the connection, so replies and the RELATED
 * ICMP errors attached to it see it too.
 */
function connlabelClause(o: ConnlabelOptions, ctx: MatchContext, apply = true): { ok: boolean; why: string } {
  const bit = o.bit ?? 0;
  const labels = ctx.ct?.labels;
  if (!labels) return { ok: o.invert, why: `connlabel ${bit}: ${ctx.ct?.orig ? 'the connection has no label extension' : 'the packet has no connection'}` };
  if (labels.includes(bit)) return { ok: !o.invert, why: `connlabel ${bit}: the connection has label ${bit}` };
  if (o.set) {
    if (apply) {
      labels.push(bit);
      labels.sort((a, b) => a - b);
    }
    return { ok: !o.invert, why: `connlabel ${bit}: --set gives the connection label ${bit}` };
  }
  return { ok: o.invert, why: `connlabel ${bit}: the connection does not have label ${bit}` };
}
