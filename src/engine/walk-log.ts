// pattern: Functional Core
// The app's view of a run: one flat, serialisable list of playback steps in
// the oracle's causal packet order — every TRACE event and every step of the
// walk the TRACE does not print (routing, conntrack, NAT, TTL, delivery,
// transmission) — plus the hosts, packets and per-step tables the panels
// show. The UI renders steps[i]; it never computes netfilter behaviour.

import { formatIpv4 } from './net/addr';
import type { HookName, TableName } from './netfilter/hooks';
import { TABLES } from './netfilter/hooks';
import type { TraceType } from './iptables/walk';
import type { ClauseResult, MatchContext, Rule } from './iptables/types';
import { causalOrder } from './conformance/kernel-result';
import { headerDiff, type HeaderView } from './sim/header-view';
import { sharedHeaderView, type DropCause, type IpvsSnapshot, type PacketRecord, type RecordedEvent, type Verdict, type WalkNote } from './sim/record';
import type { CtEntryView } from './conntrack/types';
import type { CtListRow } from './conntrack/view';
import type { World } from './sim/world';
import { ctList, untrackedView } from './sim/conntrack-adapter';
import { ruleText } from './sim/iptables-adapter';
import { traceLine } from './sim/log-lines';
import * as R from './sim/route-adapter';
import { ipvsSnapshot } from './ipvs/snapshot';
import { explainRule } from './iptables/explain';
import { ownerView } from './sim/skb-socket';
import { notModelled, type NotModelled } from './not-modelled';
import type { BudgetStop } from './sim/budget';

/** A node of the flow graph a step lights up (FlowGraph uses the same ids). */
export type GraphNode =
  | `${TableName} ${HookName}`
  | 'iface-in'
  | 'iface-out'
  | 'routing-input'
  | 'routing-output'
  | 'reroute'
  | 'local-process'
  | 'conntrack-in'
  | 'conntrack-out'
  | 'forward-decision'
  | 'ipvs-in'
  | 'ipvs-out'
  /** the device's egress qdisc (tc), after POSTROUTING; its ingress hook, before PREROUTING */
  | 'tc-egress'
  | 'tc-ingress';

export interface WalkStepBase {
  /** index in WalkLog.steps */
  i: number;
  /** packet id (WalkLog.packets) */
  packet: number;
  host: string;
  /** scenario step (1-based) the packet belongs to */
  scenarioStep: number;
  node: GraphNode;
  /** the packet's headers at this step */
  headers: HeaderView;
  /** header fields that changed since this packet's previous step: field → [before, after] */
  changed: Record<string, [unknown, unknown]>;
}

export type WalkStep =
  | (WalkStepBase & { kind: 'ingress'; iface: string; from: { host: string; packet: number } | null })
  | (WalkStepBase & { kind: 'originate'; by: string })
  | (WalkStepBase & {
      kind: 'rule';
      hook: HookName;
      table: TableName;
      chain: string;
      type: TraceType;
      rulenum: number;
      target: string | null;
      goto: boolean;
      /** iptables-save text of the matched rule, null for a policy / implicit return */
      rule: string | null;
      in: string | null;
      out: string | null;
      /** the kernel's TRACE line */
      trace: string;
      /** index of the recorded event, for explain requests */
      event: number;
    })
  | (WalkStepBase & { kind: 'note'; note: WalkNote })
  | (WalkStepBase & {
      kind: 'end';
      disposition: Verdict | null;
      summary: string;
      /** why the packet's walk ended where `node` says (the box of its fate): a key the page translates */
      reason: FateReason;
    });

/**
 * Why a packet's walk in one host ended, as a key. The end step's node is
 * where that happened: the rule's box, the routing decision, the forward
 * step, the socket, the wire.
 */
export type FateReason =
  /** a rule's DROP / REJECT / NFQUEUE, or the chain's policy */
  | 'rule-drop'
  | 'rule-reject'
  | 'rule-queue'
  | 'policy-drop'
  /** handed to a local socket (ip_local_deliver) */
  | 'delivered'
  /** put on the wire (dev_queue_xmit) */
  | 'sent'
  /** ip_route_input / ip_route_output failed: `route.` + the reason (no_route, forwarding_disabled, reverse_path_filter, ...) */
  | `route.${string}`
  /** ip_forward refused it: ttl_exceeded, fragmentation_needed */
  | `forward.${string}`
  /** IPVS refused it, or its transmit found no TTL left or no route to the real server */
  | `ipvs.${string}`
  /** a drop the disposition does not name (sim/record.ts DropCause) */
  | `dropped.${DropCause}`
  /** gone after its last TRACE line without a known cause */
  | 'vanished'
  | 'unknown';

export interface RuleView {
  num: number;
  text: string;
  target: string | null;
  packets: number;
  bytes: number;
}

export interface ChainView {
  name: string;
  policy: string | null;
  /**
   * the chain's rules; empty in a lab's walk log, whose rules the page asks
   * for a page at a time (lab/views.ts), and which lists only the built-in
   * chains and those the walk entered
   */
  rules: RuleView[];
  /** how many rules the chain has */
  ruleCount: number;
  policyPackets: number;
}

export interface WalkLogOptions {
  /** list every chain's rules with their texts (the CLI, tests); a lab's log leaves them out: 50,000 rule texts are megabytes per walk */
  chainRules?: boolean;
  /** what the hosts' configuration uses that is not modelled, when it is not read from the case's setup commands (a lab's edited hosts) */
  configFindings?: NotModelled[];
}

export interface HostView {
  name: string;
  /** a network namespace inside this host (`ip netns add`): the topology draws it there */
  in?: string;
  /** `vlan`: a VLAN sub-interface's real device, id and protocol; `tunnel`: a GRE, IPIP or VXLAN device's mode and ends (0.0.0.0: any) */
  interfaces: { name: string; mac: string | null; addrs: string[]; master: string | null; vlan?: { parent: string; id: number; protocol: string }; tunnel?: { mode: string; local: string; remote: string } }[];
  /** table → chains (built-in first) */
  tables: Record<string, ChainView[]>;
  routes: string;
  rules: string;
  /** the table at the end of the walk in the oracle's form (`conntrack -L` without timeouts) */
  conntrack: CtEntryView[];
  conntrackActive: boolean;
  /** IPVS on this host at the end of the walk, when it has virtual services: `ipvsadm -Ln`, `ipvsadm -Lnc` and each scheduler's state */
  ipvs: IpvsSnapshot | null;
  /** tc set a qdisc on one of its devices: the graph draws the egress and ingress qdiscs */
  tc?: boolean;
}

export interface PacketView {
  id: number;
  step: number;
  host: string;
  origin: 'ingress' | 'local';
  in: string | null;
  summary: string;
  disposition: Verdict | null;
  from: number | null;
  receivedBy: { host: string; iface: string; packet: number }[];
  response: { packet: number; kind: string } | null;
  firstStep: number;
  lastStep: number;
  /** this host's conntrack table when the packet arrived, and once it was through (null: conntrack off) */
  conntrackBefore: CtListRow[] | null;
  conntrackAfter: CtListRow[] | null;
  /** iptables rules the kernel examined for this packet in this host */
  rulesExamined: number;
  /** IPVS on this host as the packet found it and as it left it (null: no virtual services) */
  ipvsBefore: IpvsSnapshot | null;
  ipvsAfter: IpvsSnapshot | null;
}

export interface ScenarioStepView {
  n: number;
  from: string;
  kind: string;
  action: string;
  result: Record<string, unknown>;
  listenerEvents: unknown[];
  conntrack: Record<string, unknown[]>;
  firstStep: number;
  lastStep: number;
}

export interface WalkLog {
  scenario: string;
  hosts: HostView[];
  links: [string, string][];
  switches: { name: string; ports: string[] }[];
  packets: PacketView[];
  steps: WalkStep[];
  scenarioSteps: ScenarioStepView[];
  traceLog: { host: string; packet: number; line: string }[];
  /** what the scenario uses that the engine does not simulate like the kernel (the app's notice) */
  notModelled: NotModelled[];
  /**
   * The work budget that ended the run early, and where (sim/budget.ts;
   * the app's i18n keys `budget.stop.*`): the steps above are what was walked
   * until then. `packet` is the packet (an id of `packets`) being walked, when
   * it has a step in the log. null (or absent, in logs made before budgets): the run went to its end.
   */
  stopped?: (BudgetStop & { packet: number | null }) | null;
}

function nodeFor(note: WalkNote, origin: 'ingress' | 'local'): GraphNode {
  switch (note.kind) {
    case 'route':
      return note.stage === 'input' ? 'routing-input' : note.stage === 'reroute' ? 'reroute' : 'routing-output';
    case 'conntrack':
      return note.hook === 'OUTPUT' ? 'conntrack-out' : 'conntrack-in';
    case 'nat':
      return `nat ${note.hook}` as GraphNode;
    case 'ttl':
      return 'forward-decision';
    case 'ipvs':
      return note.hook === 'FORWARD' ? 'ipvs-out' : 'ipvs-in';
    case 'deliver':
      return 'local-process';
    case 'qdisc':
      return 'tc-egress';
    case 'transmit':
    case 'arp':
      return 'iface-out';
    case 'tunnel':
      // the tunnel device's xmit runs where the frame leaves; its receive side is the socket (or protocol) that took the outer packet
      return note.action === 'decapsulate' ? 'local-process' : 'iface-out';
  }
  return origin === 'ingress' ? 'iface-in' : 'local-process';
}

/**
 * The notes IPVS's transmit leaves right after its own note (TTL − 1, the
 * NAT rewrite, the route to the real server; a NAT reply's rewrite at
 * FORWARD) happen inside IPVS's hook function (ip_vs_nat_xmit and its
 * siblings, ip_vs_out's SNAT), so they light the IPVS box rather than the
 * forward decision or the reroute check, which the packet never passes.
 */
const IPVS_XMIT_PARTS: ReadonlySet<WalkNote['kind']> = new Set(['ttl', 'nat', 'route']);

/** The box each of a packet's notes lights, in order. */
function noteNodes(notes: readonly WalkNote[], origin: 'ingress' | 'local'): GraphNode[] {
  // the IPVS transmit or reply rewrite whose parts the next notes at the same position are
  let ipvsPart: { at: number; node: GraphNode } | null = null;
  return notes.map((note) => {
    if (ipvsPart && ipvsPart.at !== note.at) ipvsPart = null;
    const node = nodeFor(note, origin);
    if (note.kind === 'ipvs') ipvsPart = note.action === 'xmit' || note.action === 'snat' ? { at: note.at, node } : null;
    else if (ipvsPart && IPVS_XMIT_PARTS.has(note.kind)) return ipvsPart.node;
    return node;
  });
}

/** The box where the packet's walk in this host ended, and why. */
function fateOf(r: PacketRecord, nodes: readonly GraphNode[], last: RecordedEvent): { node: GraphNode; reason: FateReason } {
  const d = r.disposition;
  const lastBox = `${last.table} ${last.hook}` as GraphNode;
  const cause = r.dropCause;
  if (!d) return { node: lastBox, reason: 'unknown' };
  switch (d.verdict) {
    case 'drop':
    case 'reject':
    case 'queue': {
      // ip_vs_in's NF_DROP comes after the last TRACE line, from IPVS's own box
      const ipvs = r.notes.at(-1);
      if (ipvs?.kind === 'ipvs' && ipvs.action === 'drop' && ipvs.at === r.events.length) return { node: nodes[r.notes.length - 1]!, reason: `ipvs.${ipvs.reason ?? 'drop'}` };
      // the box of the event the verdict names (the last one with its reference)
      const e = r.events.findLast((x) => x.table === d.at.table && x.chain === d.at.chain && x.rulenum === d.at.rulenum && x.type === d.at.type) ?? last;
      const node = `${e.table} ${e.hook}` as GraphNode;
      if (cause && cause !== 'queue-no-consumer') return { node, reason: `dropped.${cause}` };
      if (d.verdict === 'reject') return { node, reason: 'rule-reject' };
      if (d.verdict === 'queue') return { node, reason: 'rule-queue' };
      return { node, reason: d.at.type === 'policy' ? 'policy-drop' : 'rule-drop' };
    }
    case 'sent':
      // nf_confirm and TPROXY/MASQUERADE drops sit in the last hook's box; an unanswered ARP request on the wire
      if (cause === 'neigh-unresolved' || cause === 'neigh-failed' || cause === 'bridge-same-port') return { node: 'iface-out', reason: `dropped.${cause}` };
      if (cause === 'qdisc-drop') return { node: 'tc-egress', reason: `dropped.${cause}` };
      if (cause) return { node: lastBox, reason: `dropped.${cause}` };
      return { node: 'iface-out', reason: 'sent' };
    case 'local':
      if (cause) return { node: lastBox, reason: `dropped.${cause}` };
      return { node: 'local-process', reason: 'delivered' };
    case 'no_further_hook':
      return routingFate(r, nodes, d.reason, lastBox);
    case 'vanished_after_output':
    case 'vanished_after_forward':
      return { node: lastBox, reason: cause ? `dropped.${cause}` : 'vanished' };
    case 'unknown':
      return { node: lastBox, reason: cause ? `dropped.${cause}` : 'unknown' };
  }
}

/**
 * A packet that met no further hook ended in the routing decision
 * (ip_route_input_noref's error: no route, forwarding off, rp_filter), the
 * forward step (ip_forward: TTL, DF and MTU) or IPVS's transmit.
 */
function routingFate(r: PacketRecord, nodes: readonly GraphNode[], reason: string, lastBox: GraphNode): { node: GraphNode; reason: FateReason } {
  const notes = r.notes;
  const k = notes.length - 1;
  const lastNote = notes[k];
  if (lastNote?.kind === 'ipvs') return { node: nodes[k]!, reason: `ipvs.${lastNote.reason ?? lastNote.action}` };
  const xmit = notes.findLastIndex((n) => n.kind === 'ipvs' && n.action === 'xmit');
  if (xmit >= 0) return { node: nodes[xmit]!, reason: `ipvs.${reason}` };
  if (reason === 'ttl_exceeded' || reason === 'fragmentation_needed') return { node: 'forward-decision', reason: `forward.${reason}` };
  const route = notes.findLastIndex((n) => n.kind === 'route');
  const rn = notes[route];
  // the engine's own lookup said why; the disposition's reason is the oracle's `ip route get` afterwards
  if (rn?.kind === 'route' && rn.decision === 'error') return { node: nodes[route]!, reason: `route.${rn.reason && rn.reason !== 'unknown' ? rn.reason : reason}` };
  if (rn?.kind === 'route') return { node: nodes[route]!, reason: `route.${reason}` };
  return { node: r.origin === 'ingress' ? 'routing-input' : lastBox, reason: `route.${reason}` };
}

export function packetSummary(h: HeaderView): string {
  const ports = h.sport !== undefined ? [`:${h.sport}`, `:${h.dport}`] : ['', ''];
  const flags = h.flags !== undefined ? ` [${h.flags || 'no flags'}]` : '';
  const icmp = h.type !== undefined ? ` type ${h.type}/${h.code}` : '';
  return `${h.proto} ${h.src}${ports[0]} → ${h.dst}${ports[1]}${flags}${icmp}`;
}

function chainViews(world: World, hostName: string, withRules: boolean, visited: ReadonlySet<string>): Record<string, ChainView[]> {
  const h = world.hosts.get(hostName)!;
  const out: Record<string, ChainView[]> = {};
  for (const t of TABLES) {
    const chains = [...h.rules.tables[t].chains.values()];
    // without rules (a lab's log), only what the graph draws: the built-in chains and those the walk entered
    out[t] = (withRules ? chains : chains.filter((c) => c.builtin || visited.has(`${t} ${c.name}`))).map((c) => {
      const pc = h.counters.get(c);
      return {
        name: c.name,
        policy: c.builtin ? c.policy : null,
        policyPackets: pc?.packets ?? 0,
        ruleCount: c.rules.length,
        rules: !withRules
          ? []
          : c.rules.map((r, i) => {
              const k = h.counters.get(r);
              return { num: i + 1, text: ruleText(h.rules, t, c.name, r), target: r.target ? r.target.name : null, packets: k?.packets ?? 0, bytes: k?.bytes ?? 0 };
            }),
      };
    });
  }
  return out;
}

function visitedChains(steps: readonly WalkStep[], host: string): Set<string> {
  const out = new Set<string>();
  for (const s of steps) if (s.kind === 'rule' && s.host === host) out.add(`${s.table} ${s.chain}`);
  return out;
}


/** A host's links as the page lists them: MAC, addresses, bridge, a VLAN device's real device and id, a tunnel's mode and ends. */
function interfaceViews(world: World, h: World['hostList'][number]): HostView['interfaces'] {
  return h.net.links.map((l) => ({
    name: l.name,
    mac: world.macs.get(`${h.name}:${l.name}`) ?? (l.name === 'lo' ? '00:00:00:00:00:00' : null),
    addrs: h.net.addresses.filter((a) => a.iface === l.name).map((a) => `${formatIpv4(a.addr)}/${a.prefixLen}`),
    master: l.master,
    ...(l.vlan ? { vlan: { parent: l.vlan.parent, id: l.vlan.id, protocol: l.vlan.protocol } } : {}),
    ...(l.tunnel ? { tunnel: { mode: l.tunnel.mode, local: formatIpv4(l.tunnel.local), remote: formatIpv4(l.tunnel.remote) } } : {}),
  }));
}

/** Build the app's walk log from a finished run. */
export function walkLog(world: World, options: WalkLogOptions = {}): WalkLog {
  const records = causalOrder(
    world.records.filter((r) => r.events.length > 0),
    world.hostList.map((h) => h.name),
  );
  records.forEach((r, i) => (r.id = i + 1));
  const steps: WalkStep[] = [];
  const packets: PacketView[] = [];
  const traceLog: WalkLog['traceLog'] = [];
  for (const r of records) {
    const first = steps.length;
    let prev: HeaderView | null = null;
    const push = (s: Omit<WalkStepBase, 'i' | 'packet' | 'host' | 'scenarioStep' | 'changed'> & Record<string, unknown>) => {
      const changed: Record<string, [unknown, unknown]> = {};
      // consecutive events of one unchanged packet share one header view (sim/record.ts)
      if (prev && prev !== s.headers) for (const [k, v] of Object.entries(headerDiff(prev, s.headers))) changed[k] = [(prev as unknown as Record<string, unknown>)[k] ?? null, v];
      if (prev && prev.len !== s.headers.len) changed.len = [prev.len, s.headers.len];
      prev = s.headers;
      // the caller's fresh object becomes the step (no copy: a log holds up to the event budget of them)
      const step = s as Record<string, unknown>;
      step.i = steps.length;
      step.packet = r.id;
      step.host = r.host;
      step.scenarioStep = r.step;
      step.changed = changed;
      steps.push(step as unknown as WalkStep);
    };
    const h0 = r.events[0]!.hdr;
    if (r.origin === 'ingress') push({ kind: 'ingress', node: 'iface-in', headers: h0, iface: r.in ?? '', from: r.fromPacket ? { host: r.fromPacket.host, packet: r.fromPacket.id } : null });
    else push({ kind: 'originate', node: 'local-process', headers: h0, by: r.host });
    let n = 0;
    const notes = r.notes;
    const nodes = noteNodes(notes, r.origin);
    const flushNotes = (upTo: number, hdr: HeaderView) => {
      while (n < notes.length && notes[n]!.at <= upTo) {
        // each note shows the packet as its own step left it (a record without note states: the next event's)
        const state = r.noteStates[n];
        push({ kind: 'note', node: nodes[n]!, headers: state ? sharedHeaderView(state.packet) : hdr, note: notes[n]! });
        n++;
      }
    };
    r.events.forEach((e: RecordedEvent, k: number) => {
      flushNotes(k, e.hdr);
      const trace = traceLine(world, r, e);
      traceLog.push({ host: r.host, packet: r.id, line: trace });
      push({
        kind: 'rule',
        node: `${e.table} ${e.hook}` as GraphNode,
        headers: e.hdr,
        hook: e.hook,
        table: e.table,
        chain: e.chain,
        type: e.type,
        rulenum: e.rulenum,
        target: e.target,
        goto: e.goto,
        rule: e.ruleText,
        in: e.in,
        out: e.out,
        trace,
        event: k,
      });
    });
    const last = r.events[r.events.length - 1]!;
    flushNotes(Number.MAX_SAFE_INTEGER, last.hdr);
    const fate = fateOf(r, nodes, last);
    push({ kind: 'end', node: fate.node, headers: prev ?? last.hdr, disposition: r.disposition, summary: dispositionText(r.disposition), reason: fate.reason });
    packets.push({
      id: r.id,
      step: r.step,
      host: r.host,
      origin: r.origin,
      in: r.in,
      summary: packetSummary(h0),
      disposition: r.disposition,
      from: r.fromPacket ? r.fromPacket.id : null,
      receivedBy: r.receivedBy.map((x) => ({ host: x.host, iface: x.iface, packet: x.packet.id })),
      response: r.response ? { packet: r.response.packet.id, kind: r.response.kind } : null,
      firstStep: first,
      lastStep: steps.length - 1,
      conntrackBefore: r.ctBefore,
      conntrackAfter: null,
      rulesExamined: r.examined,
      ipvsBefore: r.ipvsBefore,
      ipvsAfter: null,
    });
  }
  // the table after a packet is the table the host's next packet found (or the end of its scenario step)
  const byHost = new Map<string, PacketView[]>();
  for (const p of [...packets].sort((a, b) => a.id - b.id)) (byHost.get(p.host) ?? byHost.set(p.host, []).get(p.host)!).push(p);
  const creation = new Map(world.records.map((r, k) => [r.id, k]));
  // lookups by step number, so a run of thousands of steps stays linear
  const outcomeOf = new Map<number, World['stepOutcomes'][number]>();
  for (const o of world.stepOutcomes) if (!outcomeOf.has(o.n)) outcomeOf.set(o.n, o);
  for (const list of byHost.values()) {
    list.sort((a, b) => creation.get(a.id)! - creation.get(b.id)!);
    list.forEach((p, k) => {
      const next = list[k + 1];
      const stepEnd = outcomeOf.get(p.step)?.ctRows[p.host] ?? [];
      p.conntrackAfter = next && next.step === p.step ? next.conntrackBefore : p.conntrackBefore === null ? null : stepEnd;
      const host = world.hosts.get(p.host)!;
      p.ipvsAfter = next ? next.ipvsBefore : host.ipvs.services.length ? ipvsSnapshot(host.ipvs, world.nowMs) : null;
    });
  }
  const packetsOfStep = new Map<number, PacketView[]>();
  for (const p of packets) (packetsOfStep.get(p.step) ?? packetsOfStep.set(p.step, []).get(p.step)!).push(p);
  const scenarioSteps: ScenarioStepView[] = world.stepOutcomes.map((s) => {
    const ps = packetsOfStep.get(s.n) ?? [];
    const { from, kind } = s.step;
    const target = s.step.kind === 'packet' ? s.step.packet.dst : s.step.kind === 'ping' ? s.step.ping : s.step.kind === 'tcp' ? s.step.tcp : s.step.udp;
    return {
      n: s.n,
      from,
      kind,
      action: `${from}: ${kind} ${target}`,
      result: s.result,
      listenerEvents: s.listenerEvents,
      conntrack: s.conntrack,
      firstStep: ps.length ? ps.reduce((m, p) => Math.min(m, p.firstStep), Infinity) : -1,
      lastStep: ps.length ? ps.reduce((m, p) => Math.max(m, p.lastStep), -Infinity) : -1,
    };
  });
  const parents = new Map(world.scenario.hosts.flatMap((h) => (h.in !== undefined ? [[h.name, h.in] as const] : [])));
  const hosts: HostView[] = world.hostList.map((h) => ({
    name: h.name,
    ...(parents.has(h.name) ? { in: parents.get(h.name)! } : {}),
    interfaces: interfaceViews(world, h),
    tables: chainViews(world, h.name, options.chainRules ?? true, visitedChains(steps, h.name)),
    routes: R.formatAllRoutes(h.net),
    rules: R.formatFibRules(h.net),
    conntrack: ctList(h.ct),
    conntrackActive: h.ctActive,
    ipvs: h.ipvs.services.length ? ipvsSnapshot(h.ipvs, world.nowMs) : null,
    ...(h.net.links.some((l) => l.tc?.qdiscs.length) ? { tc: true } : {}),
  }));
  return {
    scenario: world.scenario.name,
    hosts,
    links: world.scenario.links.map(([a, b]) => [`${a.host}:${a.iface}`, `${b.host}:${b.iface}`]),
    switches: world.scenario.switches.map((s) => ({ name: s.name, ports: s.ports.map((p) => `${p.host}:${p.iface}`) })),
    packets,
    steps,
    scenarioSteps,
    traceLog,
    notModelled: options.configFindings ? [...options.configFindings, ...notModelled({ ...world.scenario, hosts: [] }, world)] : notModelled(world.scenario, world),
    stopped: world.stopped ? { ...world.stopped, packet: world.stoppedPacket && world.stoppedPacket.events.length ? world.stoppedPacket.id : null } : null,
  };
}

export function dispositionText(d: Verdict | null): string {
  if (!d) return 'unknown';
  switch (d.verdict) {
    case 'drop':
      return `dropped by ${d.at.table}:${d.at.chain} ${d.at.type} ${d.at.rulenum}`;
    case 'reject':
      return `rejected (${d.with}) by ${d.at.table}:${d.at.chain} rule ${d.at.rulenum}`;
    case 'queue':
      return `queued to user space by ${d.at.table}:${d.at.chain}`;
    case 'sent':
      return `sent out of ${d.iface}${d.port ? ` (port ${d.port})` : ''}`;
    case 'local':
      return `delivered to a local socket on ${d.host}`;
    case 'no_further_hook':
      return `dropped after routing: ${d.reason.replace(/_/g, ' ')}`;
    case 'unknown':
      return 'ended without a verdict';
    case 'vanished_after_output':
    case 'vanished_after_forward':
      return `dropped without a rule after ${d.at.table}:${d.at.chain}`;
  }
}

export interface RuleExplanation {
  num: number;
  text: string;
  matched: boolean;
  clauses: ClauseResult[];
}

/**
 * For a rule step: every rule of its chain up to the one that matched, with
 * each clause's result, as the packet was when it entered that chain.
 * Stateful matches (limit, statistic, recent) are explained as they stand now.
 */
export function explainStep(world: World, log: WalkLog, stepIndex: number, limit = 500): RuleExplanation[] {
  const step = log.steps[stepIndex];
  if (!step || step.kind !== 'rule') return [];
  const rec = world.records.find((r) => r.id === step.packet);
  const e = rec?.events[step.event];
  const host = world.hosts.get(step.host);
  if (!rec || !e || !host) return [];
  const chain = host.rules.tables[step.table].chains.get(step.chain);
  if (!chain) return [];
  const ctx: MatchContext = {
    hook: step.hook,
    table: step.table,
    chain: step.chain,
    inIface: e.in,
    outIface: e.out,
    physIn: e.physin,
    physOut: e.physout,
    srcMac: e.srcMac,
    ct: e.ctState ? { ...untrackedView(), state: ctStateName(e.ctState), reply: e.ctState.endsWith('_REPLY') } : null,
    ...ownerView(e.sk),
    nowMs: world.nowMs,
    addrType: (a, i) => R.addrType(host.net, a, i),
    random: () => 0.5,
    ruleState: <S>(rule: Rule, key: string, init: () => S) => host.ruleState(rule, key, init),
    recent: host.recent,
  };
  const last = Math.min(step.type === 'rule' || step.rule ? step.rulenum : chain.rules.length, chain.rules.length, limit);
  const out: RuleExplanation[] = [];
  for (let i = 0; i < last; i++) {
    const r = chain.rules[i]!;
    const clauses = explainRule(r, e.packet, ctx);
    // the traced rule matched when it ran, even if a stateful match would decide otherwise now
    out.push({ num: i + 1, text: ruleText(host.rules, step.table, step.chain, r), matched: i + 1 === step.rulenum, clauses });
  }
  return out;
}

function ctStateName(ctinfo: string): 'INVALID' | 'NEW' | 'ESTABLISHED' | 'RELATED' | 'UNTRACKED' {
  if (ctinfo.startsWith('ESTABLISHED')) return 'ESTABLISHED';
  if (ctinfo.startsWith('RELATED')) return 'RELATED';
  if (ctinfo === 'NEW' || ctinfo === 'INVALID' || ctinfo === 'UNTRACKED') return ctinfo;
  return 'INVALID';
}
