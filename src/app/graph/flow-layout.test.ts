// The flow graph's geometry as a specification: hooks are bands of tables in
// kernel order, flow reads left to right, every step of a real walk lands on
// a box, and the dot follows the drawn arrows.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog, type GraphNode, type WalkLog } from '../../engine/walk-log';
import { FLOW_LAYOUT, FLOW_LAYOUT_IPVS, currentNode, dotPath, flowNode, keyframeTimes, layoutFor, pathBetween, restPoint } from './flow-layout';

function portForwardLog(): WalkLog {
  const c = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8'));
  const parsed = readCase(c);
  if (!parsed.value) throw new Error(parsed.diagnostics.map((d) => d.message).join());
  const r = runScenario(parsed.value);
  if (!r.ok) throw new Error(r.errors.join());
  return walkLog(r.world);
}

const log = portForwardLog();
const node = (id: GraphNode) => {
  const n = flowNode(id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};
const cx = (id: GraphNode) => node(id).x + node(id).w / 2;
const cy = (id: GraphNode) => node(id).y + node(id).h / 2;

describe('the flow graph layout', () => {
  it('has one box per table×chain of each hook, named TABLE CHAIN', () => {
    const tables = FLOW_LAYOUT.nodes.filter((n) => n.kind === 'table').map((n) => n.name);
    expect(tables.sort()).toEqual(
      [
        'raw PREROUTING', 'mangle PREROUTING', 'nat PREROUTING',
        'mangle INPUT', 'filter INPUT', 'security INPUT', 'nat INPUT',
        'mangle FORWARD', 'filter FORWARD', 'security FORWARD',
        'raw OUTPUT', 'mangle OUTPUT', 'nat OUTPUT', 'filter OUTPUT', 'security OUTPUT',
        'mangle POSTROUTING', 'nat POSTROUTING',
      ].sort(),
    );
  });

  it('stacks each hook’s tables in one band, in the order the kernel runs them', () => {
    // PREROUTING, INPUT, FORWARD run downward; OUTPUT and POSTROUTING upward
    const down = (ids: GraphNode[]) => ids.slice(1).every((id, k) => cy(id) > cy(ids[k]!) && cx(id) === cx(ids[k]!));
    const up = (ids: GraphNode[]) => ids.slice(1).every((id, k) => cy(id) < cy(ids[k]!) && cx(id) === cx(ids[k]!));
    expect(down(['raw PREROUTING', 'conntrack-in', 'mangle PREROUTING', 'nat PREROUTING'])).toBe(true);
    // nat INPUT runs last, at the SNAT priority
    expect(down(['mangle INPUT', 'filter INPUT', 'security INPUT', 'nat INPUT'])).toBe(true);
    expect(down(['mangle FORWARD', 'filter FORWARD', 'security FORWARD'])).toBe(true);
    expect(up(['raw OUTPUT', 'conntrack-out', 'mangle OUTPUT', 'nat OUTPUT', 'filter OUTPUT', 'security OUTPUT'])).toBe(true);
    expect(up(['mangle POSTROUTING', 'nat POSTROUTING'])).toBe(true);
  });

  it('puts every band’s boxes inside the band and keeps bands apart', () => {
    for (const b of FLOW_LAYOUT.bands) {
      const members = FLOW_LAYOUT.nodes.filter((n) => n.hook === b.hook);
      expect(members.length).toBeGreaterThan(1);
      for (const n of members) {
        expect(n.x).toBeGreaterThanOrEqual(b.x);
        expect(n.x + n.w).toBeLessThanOrEqual(b.x + b.w);
        expect(n.y).toBeGreaterThanOrEqual(b.y + 30); // below the band's title
        expect(n.y + n.h).toBeLessThanOrEqual(b.y + b.h);
      }
    }
    const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const bands = FLOW_LAYOUT.bands;
    for (let i = 0; i < bands.length; i++) for (let j = i + 1; j < bands.length; j++) expect(overlap(bands[i]!, bands[j]!), `${bands[i]!.hook} / ${bands[j]!.hook}`).toBe(false);
    // no box outside a band overlaps a band or another box
    const loose = FLOW_LAYOUT.nodes.filter((n) => n.hook === null);
    for (const n of loose) for (const b of bands) expect(overlap(n, b), `${n.id} / ${b.hook}`).toBe(false);
    const all = FLOW_LAYOUT.nodes;
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(overlap(all[i]!, all[j]!), `${all[i]!.id} / ${all[j]!.id}`).toBe(false);
  });

  it('reads left to right: in, PREROUTING, routing, FORWARD, POSTROUTING, out', () => {
    const order: GraphNode[] = ['iface-in', 'raw PREROUTING', 'routing-input', 'filter FORWARD', 'nat POSTROUTING'];
    for (let k = 1; k < order.length; k++) expect(cx(order[k]!)).toBeGreaterThan(cx(order[k - 1]!));
    expect(cx('iface-out')).toBeGreaterThan(cx('filter FORWARD'));
    // the host's own traffic is drawn below the forwarding path
    expect(cy('local-process')).toBeGreaterThan(cy('security FORWARD'));
    expect(cy('mangle INPUT')).toBeGreaterThan(cy('routing-input'));
  });

  it('draws every edge as axis-parallel segments from one box’s border to the next', () => {
    for (const e of FLOW_LAYOUT.edges) {
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      for (let k = 1; k < e.points.length; k++) {
        const a = e.points[k - 1]!;
        const b = e.points[k]!;
        expect(a.x === b.x || a.y === b.y, `${e.id} segment ${k}`).toBe(true);
      }
    }
  });

  it('links the boxes of every step of a real walk, in order', () => {
    for (let i = 1; i < log.steps.length; i++) {
      const a = log.steps[i - 1]!;
      const b = log.steps[i]!;
      expect(flowNode(b.node), `step ${i} node ${b.node}`).toBeDefined();
      if (a.packet !== b.packet) continue;
      expect(pathBetween(a.node, b.node), `${a.node} → ${b.node} (step ${i})`).not.toBeNull();
    }
  });
});

describe('the current node', () => {
  const dnat = log.steps.find((s) => s.kind === 'rule' && s.target === 'DNAT')!;

  it('is the step’s node on the step’s host', () => {
    expect(currentNode(log, dnat.i, 'router')).toBe('nat PREROUTING');
  });

  it('is nothing on another host, before the first step or past the end', () => {
    expect(currentNode(log, dnat.i, 'client')).toBeNull();
    expect(currentNode(log, -1, 'router')).toBeNull();
    expect(currentNode(log, log.steps.length, 'router')).toBeNull();
    expect(currentNode(null, 0, 'router')).toBeNull();
  });
});

describe('the packet dot', () => {
  const fwd = log.steps.find((s) => s.kind === 'rule' && s.table === 'filter' && s.chain === 'FORWARD')!;

  it('runs along the arrows from the previous box to the current one', () => {
    const prev = log.steps[fwd.i - 1]!;
    expect(prev.node).toBe('mangle FORWARD');
    const pts = dotPath(log, fwd.i - 1, fwd.i, 'router');
    expect(pts[0]).toEqual(restPoint(node('mangle FORWARD')));
    expect(pts[pts.length - 1]).toEqual(restPoint(node('filter FORWARD')));
    // it passes the drawn edge's points
    const edge = FLOW_LAYOUT.edges.find((e) => e.source === 'mangle FORWARD' && e.target === 'filter FORWARD')!;
    for (const p of edge.points) expect(pts).toContainEqual(p);
  });

  it('passes the boxes the walk skipped without stopping in them', () => {
    // client: security OUTPUT → mangle POSTROUTING goes through the reroute check
    const s = log.steps.find((x) => x.host === 'client' && x.node === 'mangle POSTROUTING')!;
    expect(log.steps[s.i - 1]!.node).toBe('security OUTPUT');
    const pts = dotPath(log, s.i - 1, s.i, 'client');
    const reroute = FLOW_LAYOUT.edges.find((e) => e.source === 'reroute' && e.target === 'mangle POSTROUTING')!;
    expect(pts).toContainEqual(reroute.points[0]);
    expect(pts).not.toContainEqual(restPoint(node('reroute')));
  });

  it('retraces its path when stepping back', () => {
    const forward = dotPath(log, fwd.i - 1, fwd.i, 'router');
    const back = dotPath(log, fwd.i, fwd.i - 1, 'router');
    expect(back).toEqual([...forward].reverse());
  });

  it('jumps when the step changes packet or host, or the view leaps', () => {
    const ingress = log.steps.find((s) => s.kind === 'ingress' && s.host === 'router')!;
    expect(dotPath(log, ingress.i - 1, ingress.i, 'router')).toEqual([restPoint(node('iface-in'))]);
    expect(dotPath(log, fwd.i - 5, fwd.i, 'router')).toEqual([restPoint(node('filter FORWARD'))]);
    expect(dotPath(log, fwd.i - 1, fwd.i, 'web')).toEqual([]);
  });

  it('moves at a steady speed: keyframe times follow distance', () => {
    expect(keyframeTimes([{ x: 0, y: 0 }, { x: 30, y: 0 }, { x: 30, y: 10 }])).toEqual([0, 0.75, 1]);
    expect(keyframeTimes([{ x: 5, y: 5 }])).toEqual([0]);
  });
});

describe('the flow graph of a host with IPVS virtual services', () => {
  const ipvsLog = (() => {
    const c = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'ipvs', 'nat.json'), 'utf8'));
    const r = runScenario(readCase(c).value!);
    if (!r.ok) throw new Error(r.errors.join());
    return walkLog(r.world);
  })();
  const L = FLOW_LAYOUT_IPVS;
  const n = (id: GraphNode) => flowNode(id, L)!;

  it('has IPVS boxes only in the IPVS layout, and only hosts with virtual services get it', () => {
    expect(FLOW_LAYOUT.nodes.some((x) => x.kind === 'ipvs')).toBe(false);
    expect(L.nodes.filter((x) => x.kind === 'ipvs').map((x) => x.name)).toEqual(['IPVS LOCAL_IN', 'IPVS FORWARD']);
    expect(layoutFor(ipvsLog, 'director')).toBe(L);
    expect(layoutFor(ipvsLog, 'client')).toBe(FLOW_LAYOUT);
    expect(layoutFor(log, 'router')).toBe(FLOW_LAYOUT);
  });

  it('runs IPVS LOCAL_IN between security INPUT and nat INPUT, and IPVS FORWARD after security FORWARD', () => {
    const y = (id: GraphNode) => n(id).y;
    expect(y('security INPUT')).toBeLessThan(y('ipvs-in'));
    expect(y('ipvs-in')).toBeLessThan(y('nat INPUT'));
    expect(n('ipvs-in').hook).toBe('INPUT');
    expect(y('security FORWARD')).toBeLessThan(y('ipvs-out'));
    expect(n('ipvs-out').hook).toBe('FORWARD');
    expect(pathBetween('security INPUT', 'nat INPUT', L)!.map((e) => e.target)).toEqual(['ipvs-in', 'nat INPUT']);
    expect(pathBetween('security FORWARD', 'mangle POSTROUTING', L)!.map((e) => e.target)).toEqual(['ipvs-out', 'mangle POSTROUTING']);
  });

  it('keeps boxes inside their bands and apart, like the plain layout', () => {
    const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const b of L.bands) for (const x of L.nodes.filter((m) => m.hook === b.hook)) expect(overlap(x, b), `${x.id} in ${b.hook}`).toBe(true);
    for (let i = 0; i < L.bands.length; i++) for (let j = i + 1; j < L.bands.length; j++) expect(overlap(L.bands[i]!, L.bands[j]!)).toBe(false);
    for (let i = 0; i < L.nodes.length; i++) for (let j = i + 1; j < L.nodes.length; j++) expect(overlap(L.nodes[i]!, L.nodes[j]!), `${L.nodes[i]!.id} / ${L.nodes[j]!.id}`).toBe(false);
  });

  it('draws IPVS sending the packet on to LOCAL_OUT as one labelled arrow that crosses no box', () => {
    const e = L.edges.find((x) => x.source === 'ipvs-in' && x.target === 'raw OUTPUT')!;
    expect(e.label).toBe('ipvs.graph.reinject');
    const boxes = L.nodes.filter((x) => x.id !== 'ipvs-in' && x.id !== 'raw OUTPUT');
    for (let k = 1; k < e.points.length; k++) {
      const a = e.points[k - 1]!;
      const b = e.points[k]!;
      expect(a.x === b.x || a.y === b.y).toBe(true);
      for (const box of boxes) {
        const crosses = Math.min(a.x, b.x) < box.x + box.w && Math.max(a.x, b.x) > box.x && Math.min(a.y, b.y) < box.y + box.h && Math.max(a.y, b.y) > box.y;
        expect(crosses, `segment ${k} crosses ${box.id}`).toBe(false);
      }
    }
  });

  it('lights IPVS LOCAL_IN for the request’s transmit (TTL, rewrite, route to the server), never the forward box', () => {
    const director = ipvsLog.packets.find((p) => p.host === 'director' && ipvsLog.steps.slice(p.firstStep, p.lastStep + 1).some((s) => s.node === 'ipvs-in'))!;
    const nodes: string[] = [];
    for (let i = director.firstStep; i <= director.lastStep; i++) nodes.push(currentNode(ipvsLog, i, 'director', L)!);
    expect(nodes).not.toContain('forward-decision');
    expect(nodes).not.toContain('reroute');
    const k = nodes.indexOf('ipvs-in');
    expect(nodes[k - 1]).toBe('security INPUT');
    expect(nodes.slice(k).find((x) => x !== 'ipvs-in')).toBe('raw OUTPUT');
    // and the dot runs along the IPVS arrow into raw OUTPUT
    const into = director.firstStep + nodes.indexOf('raw OUTPUT');
    const pts = dotPath(ipvsLog, into - 1, into, 'director', L);
    const e = L.edges.find((x) => x.source === 'ipvs-in' && x.target === 'raw OUTPUT')!;
    for (const p of e.points) expect(pts).toContainEqual(p);
  });

  it('lights IPVS FORWARD for a NAT reply’s rewrite, and every step of the walk lands on a box', () => {
    const reply = ipvsLog.steps.find((s) => s.host === 'director' && s.kind === 'note' && s.note.kind === 'nat' && s.note.hook === 'FORWARD')!;
    expect(currentNode(ipvsLog, reply.i, 'director', L)).toBe('ipvs-out');
    for (const s of ipvsLog.steps) expect(currentNode(ipvsLog, s.i, s.host, layoutFor(ipvsLog, s.host)), `step ${s.i} ${s.node}`).not.toBeNull();
  });

  it('never runs the dot through the local process (a packet ends or starts there)', () => {
    expect(pathBetween('nat INPUT', 'reroute', L)).toBeNull();
    expect(pathBetween('nat INPUT', 'reroute')).toBeNull();
  });
});

describe('a host where tc set a qdisc draws it where the kernel runs it', () => {
  const tcLog = (() => {
    const c = JSON.parse(readFileSync(join(__dirname, '..', '..', 'engine', 'lab', '__fixtures__', 'tc', 'tc-tbf.json'), 'utf8'));
    const r = runScenario(readCase(c).value!);
    if (!r.ok) throw new Error(r.errors.join());
    return walkLog(r.world);
  })();

  it('the egress qdisc between nat POSTROUTING and the interface, the ingress hook between the interface and raw PREROUTING', () => {
    const L = layoutFor(tcLog, 'client');
    expect(L.tc).toBe(true);
    expect(layoutFor(log, 'router').tc).toBe(false);
    expect(pathBetween('nat POSTROUTING', 'iface-out', L)?.map((e) => e.id)).toEqual(['nat POSTROUTING→tc-egress', 'tc-egress→iface-out']);
    expect(pathBetween('iface-in', 'raw PREROUTING', L)?.map((e) => e.id)).toEqual(['iface-in→tc-ingress', 'tc-ingress→raw PREROUTING']);
  });

  it('every step of a shaped walk lands on a box, the qdisc steps on tc egress', () => {
    const qdisc = tcLog.steps.filter((s) => s.kind === 'note' && s.note.kind === 'qdisc');
    expect(qdisc).toHaveLength(6);
    for (const s of qdisc) expect(currentNode(tcLog, s.i, s.host, layoutFor(tcLog, s.host))).toBe('tc-egress');
    for (const s of tcLog.steps) expect(currentNode(tcLog, s.i, s.host, layoutFor(tcLog, s.host)), `step ${s.i} ${s.node}`).not.toBeNull();
  });
});
