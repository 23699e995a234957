// pattern: Functional Core
// The kube-proxy comparison's data: the two scenarios (one Service, three
// endpoints, one connection), the node's steps of that connection's first
// packet in each mode, and the scale of the rules-examined chart. The walks
// and the numbers come from the engine; this only picks and lays them out.

import { kubeProxyCase, type KubeProxyMode } from '../../scenarios/kube-proxy';
import type { PacketView, WalkLog } from '../../engine/walk-log';
import type { WalkNote } from '../../engine/sim/record';
import { noteText } from '../shell/derive';
import { flowNode, layoutFor } from '../graph/flow-layout';
import type { IpvsT } from './t';
import { noteSentence } from './ipvs-view';
import type { Case } from '../../engine/scenario/case';

export const KUBE_NODE = 'node';
export const SCALING_SIZES = [1, 100, 1000, 10000] as const;
/** asked for first; 10,000 Services take the engine ~15 s, so they are measured after these */
export const QUICK_SIZES = [1, 100, 1000];

/** The mode's scenario with only its first connection: the walk to compare. */
export function kubeCase(mode: KubeProxyMode): Case {
  const c = kubeProxyCase(mode);
  return { ...c, steps: c.steps?.slice(0, 1) };
}

export interface WalkRow {
  /** index in log.steps */
  i: number;
  /** the box of the flow graph: 'nat PREROUTING', 'IPVS LOCAL_IN', 'routing decision (input)' */
  where: string;
  /** what happened there: 'KUBE-SERVICES rule 1 → KUBE-SVC-…', a note's words */
  what: string;
  hook: string | null;
}

export interface NodeWalk {
  packet: PacketView;
  rows: WalkRow[];
}

/** The node's steps for the connection's first packet (the client's SYN), as compact rows. */
/** `noteWords` words the notes IPVS did not leave (routing, conntrack, NAT…): the app's own wording by default. */
export function nodeWalk(log: WalkLog, t: IpvsT, noteWords: (n: WalkNote) => string = (n) => noteText(n)): NodeWalk | null {
  const packet = log.packets.find((p) => p.host === KUBE_NODE);
  if (!packet) return null;
  const layout = layoutFor(log, KUBE_NODE);
  const rows: WalkRow[] = [];
  for (let i = packet.firstStep; i <= packet.lastStep; i++) {
    const s = log.steps[i]!;
    const node = s.node;
    const spec = flowNode(node, layout);
    const where = spec?.name ?? node;
    let what: string;
    switch (s.kind) {
      case 'ingress':
        what = t('kube.row.arrives', { iface: s.iface });
        break;
      case 'originate':
        what = t('kube.row.sent', { host: s.by });
        break;
      case 'rule': {
        const at = s.type === 'policy' ? t('kube.row.policy') : s.type === 'return' ? t('kube.row.return', { n: s.rulenum }) : t('kube.row.rule', { n: s.rulenum });
        what = `${s.chain} ${at} → ${s.target ?? 'RETURN'}`;
        break;
      }
      case 'note':
        what = s.note.kind === 'ipvs' ? `${s.note.service ? `${s.note.service}: ` : ''}${noteSentence(t, s.note)}` : noteWords(s.note);
        break;
      case 'end':
        what = s.summary;
        break;
    }
    rows.push({ i, where, what, hook: spec?.hook ?? null });
  }
  return { packet, rows };
}

// ---------------------------------------------------------------- chart scale

/** The top of a log-scale axis: the power of ten at or above the largest value (at least 10). */
export function logTop(values: readonly number[]): number {
  const max = Math.max(10, ...values);
  return 10 ** Math.ceil(Math.log10(max));
}

/** Height (0..1) of a value on a log scale from 1 to `top`; 0 and 1 both sit on the axis. */
export function logHeight(value: number, top: number): number {
  if (value <= 1) return 0;
  return Math.min(1, Math.log10(value) / Math.log10(top));
}

/** "10,000" */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}
