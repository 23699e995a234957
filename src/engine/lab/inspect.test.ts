// Step inspection says what is true at each step: a header field changes at
// the step where the kernel changes it, layer by layer, and the tables are
// those of that moment. The kernel functions that decide each case are named
// in the test names.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, type LabWalk } from './lab';
import { inspectStep, layerChanges, type StepInspection } from './inspect';
import type { WalkStep } from '../walk-log';

const src = join(__dirname, '..', '..');
const oracle = join(src, 'engine/__fixtures__/oracle');
/** the kernel-checked cases, the gallery's and the IPVS scenarios */
const cases = [
  ...readdirSync(oracle)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'))
    .map((f) => join(oracle, f)),
  ...['gallery/scenarios', 'scenarios/ipvs', 'scenarios'].flatMap((d) =>
    readdirSync(join(src, d))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(src, d, f)),
  ),
].sort();

function walkOf(path: string): { lab: Lab; walk: LabWalk } {
  const o = Lab.open(JSON.parse(readFileSync(path, 'utf8')));
  if (!o.ok) throw new Error(o.errors.join('; '));
  return { lab: o.lab, walk: o.lab.walk() };
}

function inspect(walk: LabWalk, i: number): StepInspection {
  const r = inspectStep(walk, i);
  if (!r) throw new Error(`no step ${i}`);
  return r;
}

/** The steps of one packet in one host. */
function stepsOf(walk: LabWalk, packet: number): WalkStep[] {
  const p = walk.log.packets.find((x) => x.id === packet)!;
  return walk.log.steps.slice(p.firstStep, p.lastStep + 1);
}

const isNote = <K extends string>(s: WalkStep, kind: K): boolean => s.kind === 'note' && s.note.kind === kind;

describe('the TTL in every case', () => {
  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(200);
  });

  // ip_forward (net/ipv4/ip_forward.c) calls ip_decrease_ttl after the routing decision and
  // before NF_INET_FORWARD; IPVS's __ip_vs_get_out_rt lowers it in its own transmit. A mangle
  // -j TTL rule is the only other writer.
  it.each(cases.map((c) => [c.slice(src.length + 1), c]))('changes in %s exactly at the TTL step (ip_forward → ip_decrease_ttl) or after a TTL rule', (_name, path) => {
    const { walk } = walkOf(path);
    let ttlNotes = 0;
    walk.log.steps.forEach((s, i) => {
      const ins = inspect(walk, i);
      const ttl = ins.changes.find((c) => c.path === 'ip.ttl');
      if (s.kind === 'note' && s.note.kind === 'ttl') {
        ttlNotes++;
        expect(ttl).toEqual({ path: 'ip.ttl', before: s.note.from, after: s.note.to });
        // the walk log's own diff agrees: the change is on the TTL step, not on a later or earlier one
        expect(s.changed.ttl).toEqual([s.note.from, s.note.to]);
      } else if (ttl) {
        // a -j TTL rule (TRACE prints its change on the next line), or an IPVS tunnel's new outer header
        expect(ins.reason === 'target.TTL' || ins.reason === 'ipvs.tunnel-encapsulates').toBe(true);
      }
    });
    expect(ttlNotes).toBe(walk.log.steps.filter((s) => isNote(s, 'ttl')).length);
  });
});

describe('a forwarded connection through a port-forwarding router (the built-in scenario)', () => {
  const { lab, walk } = walkOf(join(src, 'scenarios/port-forward.json'));
  const router = walk.log.packets.filter((p) => p.host === 'router');
  const syn = router[0]!;
  const synAck = router.find((p) => stepsOf(walk, p.id).some((s) => s.kind === 'note' && s.note.kind === 'conntrack' && s.note.reply))!;

  it('rewrites the destination at the NAT step, not at the nat PREROUTING rule before it (nf_nat_packet runs after the table)', () => {
    const steps = stepsOf(walk, syn.id);
    const nat = steps.find((s) => isNote(s, 'nat'))!;
    const ins = inspect(walk, nat.i);
    expect(ins.changes).toEqual([
      { path: 'ip.dst', before: '203.0.113.1', after: '192.168.1.100' },
      { path: 'l4.dport', before: 8080, after: 80 },
    ]);
    expect(ins.reason).toBe('nat.new-binding');
    // nothing else changes between the packet's arrival and its transmit but the DNAT and the TTL
    const changed = steps.filter((s) => s.kind !== 'note' || s.note.kind !== 'transmit').flatMap((s) => inspect(walk, s.i).changes.map((c) => c.path));
    expect(changed.sort()).toEqual(['ip.dst', 'ip.ttl', 'l4.dport', 'ctmark'].sort());
  });

  it('builds a new Ethernet header at the transmit step: the router’s MAC as source, the next hop’s from its neighbour table as destination (neigh_output)', () => {
    const tx = stepsOf(walk, syn.id).find((s) => isNote(s, 'transmit'))!;
    const ins = inspect(walk, tx.i);
    const macs = new Map(walk.log.hosts.flatMap((h) => h.interfaces.map((i) => [`${h.name}:${i.name}`, i.mac])));
    expect(ins.before?.ethernet).toEqual({ src: macs.get('client:eth0'), dst: macs.get('router:eth0') });
    expect(ins.after.ethernet).toEqual({ src: macs.get('router:eth1'), dst: macs.get('web:eth0') });
    expect(ins.reason).toBe('xmit.neighbour');
    expect(ins.neighbours).toContainEqual({ dev: 'eth1', addr: '192.168.1.100', lladdr: macs.get('web:eth0'), state: 'REACHABLE' });
    // the IP header is what it was after FORWARD and POSTROUTING: only the frame changed
    expect(ins.changes.every((c) => c.path.startsWith('ethernet.'))).toBe(true);
  });

  it('lists the SYN’s connection as its own (unconfirmed) until nf_conntrack_confirm, then in the table', () => {
    const steps = stepsOf(walk, syn.id);
    const first = inspect(walk, steps[0]!.i);
    expect(first.conntrack).toEqual({ entries: [], packet: null });
    const ct = steps.find((s) => isNote(s, 'conntrack'))!;
    const atCt = inspect(walk, ct.i).conntrack!;
    expect(atCt.packet).toMatchObject({ direction: 'original', confirmed: false });
    expect(atCt.entries).toMatchObject([{ unconfirmed: true, entry: { state: 'SYN_SENT', flags: ['UNREPLIED'] } }]);
    const tx = steps.find((s) => isNote(s, 'transmit'))!;
    expect(inspect(walk, tx.i).conntrack).toMatchObject({ packet: { confirmed: true }, entries: [{ unconfirmed: false }] });
  });

  it('says a reply travels the connection’s reply direction, and un-DNATs it from the existing binding at POSTROUTING without the nat table', () => {
    const steps = stepsOf(walk, synAck.id);
    const ct = inspect(walk, steps.find((s) => isNote(s, 'conntrack'))!.i).conntrack!;
    expect(ct.packet).toMatchObject({ direction: 'reply', confirmed: true });
    expect(ct.entries.find((e) => e.id === ct.packet!.entryId)!.entry.orig).toMatchObject({ dst: '203.0.113.1', dport: 8080 });
    const nat = steps.find((s) => isNote(s, 'nat'))!;
    expect(nat.kind === 'note' && nat.note.kind === 'nat' ? nat.note.binding : null).toBe('existing');
    expect(inspect(walk, nat.i).reason).toBe('nat.existing-binding');
    // nf_nat_inet_fn consults the table only for a connection's first packet
    expect(steps.some((s) => s.kind === 'rule' && s.table === 'nat')).toBe(false);
  });

  it('is what the lab answers for the walk it keeps, and nothing for a walk it does not', () => {
    expect(lab.inspect(walk.id, 3)).toEqual(inspectStep(walk, 3));
    expect(lab.inspect(walk.id + 99, 3)).toBeNull();
    expect(lab.inspect(walk.id, walk.log.steps.length)).toBeNull();
  });
});

describe('IPVS', () => {
  it('DR keeps the IP header and sends the frame to the real server’s MAC (ip_vs_dr_xmit routes to the server, neigh_output writes its MAC)', () => {
    const { walk } = walkOf(join(src, 'gallery/scenarios/ipvs-wrr-dr.json'));
    const director = walk.log.packets.find((p) => p.host === 'director' && stepsOf(walk, p.id).some((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit'))!;
    const steps = stepsOf(walk, director.id);
    const xmit = steps.find((s) => isNote(s, 'ipvs'))!;
    expect(inspect(walk, xmit.i)).toMatchObject({ reason: 'ipvs.xmit.route', changes: [] });
    const tx = steps.find((s) => isNote(s, 'transmit'))!;
    const ins = inspect(walk, tx.i);
    expect(ins.reason).toBe('xmit.ipvs-dr-mac-only');
    expect(ins.after.ip.dst).toBe(ins.before!.ip.dst);
    const receiver = director.receivedBy[0]!;
    const rsMac = walk.log.hosts.find((h) => h.name === receiver.host)!.interfaces.find((i) => i.name === receiver.iface)!.mac;
    expect(ins.after.ethernet?.dst).toBe(rsMac);
    // the real server gets the packet still addressed to the VIP
    expect(inspect(walk, stepsOf(walk, receiver.packet)[0]!.i).after.ip.dst).toBe(ins.after.ip.dst);
  });

  it('TUN wraps the packet in an outer IP header (protocol 4) to the real server, the inner one unchanged (ip_vs_tunnel_xmit)', () => {
    const { walk } = walkOf(join(src, 'gallery/scenarios/ipvs-tun.json'));
    const director = walk.log.packets.find((p) => p.host === 'director' && stepsOf(walk, p.id).some((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit'))!;
    const steps = stepsOf(walk, director.id);
    const wrap = steps.find((s) => s.i > steps.find((x) => isNote(x, 'ipvs'))!.i && isNote(s, 'route'))!;
    const ins = inspect(walk, wrap.i);
    expect(ins.reason).toBe('ipvs.tunnel-encapsulates');
    expect(ins.before).toMatchObject({ ip: { proto: 'tcp', dst: '10.0.0.100' }, inner: null });
    expect(ins.after).toMatchObject({ ip: { proto: 4, src: '10.0.0.1', dst: '172.16.0.11' }, l4: null, inner: { ip: { proto: 'tcp', dst: '10.0.0.100' }, l4: { proto: 'tcp', dport: 80 } } });
    // the inner header is the packet IPVS took, after its TTL step
    expect(ins.after.inner!.ip).toEqual(ins.before!.ip);
  });

  it('shows the connection table as the packet found it before its IPVS step and as IPVS left it from there on', () => {
    const { walk } = walkOf(join(src, 'gallery/scenarios/ipvs-rr-nat.json'));
    const p = walk.log.packets.find((x) => x.host === 'director' && stepsOf(walk, x.id).some((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit'))!;
    const steps = stepsOf(walk, p.id);
    const k = steps.findIndex((s) => isNote(s, 'ipvs'));
    expect(inspect(walk, steps[k - 1]!.i).ipvs).toEqual({ snapshot: p.ipvsBefore, when: 'before' });
    expect(inspect(walk, steps[k]!.i).ipvs).toEqual({ snapshot: p.ipvsAfter, when: 'after' });
    expect(p.ipvsAfter!.connections.length).toBe(p.ipvsBefore!.connections.length + 1);
  });
});

describe('marks', () => {
  it('shows the connection mark a CONNMARK rule set from the next TRACE line on (xt_CONNMARK sets ct->mark)', () => {
    const { walk } = walkOf(join(oracle, '30-connmark-save-restore.json'));
    const sets = walk.log.steps.filter((s) => s.kind === 'rule' && s.target === 'CONNMARK');
    expect(sets.length).toBeGreaterThan(0);
    const changed = walk.log.steps.map((_, i) => inspect(walk, i)).filter((x) => x.reason === 'target.CONNMARK' && x.changes.some((c) => c.path === 'ctmark'));
    expect(changed.length).toBeGreaterThan(0);
    for (const x of changed) {
      // the conntrack table of that moment carries the same mark on the packet's entry
      const own = x.conntrack!.entries.find((e) => e.id === x.conntrack!.packet!.entryId)!;
      expect(own.entry.mark ?? 0).toBe(x.after.ctmark);
      expect(own.line).toContain(`mark=${x.after.ctmark}`);
    }
  });
});

describe('an ICMP error', () => {
  it('carries the header of the datagram it quotes as a layer of its own (icmp_send quotes the offending IP header and 8 bytes)', () => {
    const { walk } = walkOf(join(oracle, '02-input-reject-variants.json'));
    const err = walk.log.packets.find((p) => p.origin === 'local' && stepsOf(walk, p.id)[0]!.headers.type === 3)!;
    const ins = inspect(walk, err.firstStep);
    const l4 = ins.after.l4!;
    expect(l4.proto).toBe('icmp');
    if (l4.proto !== 'icmp') return;
    const offending = walk.log.packets.find((p) => p.response?.packet === err.id)!;
    const orig = inspect(walk, offending.lastStep).after;
    expect(l4.quoted).toMatchObject({ ip: { src: orig.ip.src, dst: orig.ip.dst, proto: orig.ip.proto } });
  });
});

describe('the routing decision', () => {
  it('names the ip rule that chose the table, selector and all (fib_rules_lookup)', () => {
    const { walk } = walkOf(join(src, 'gallery/scenarios/g07-policy-routing.json'));
    const rules = new Set(walk.log.steps.flatMap((s) => (s.kind === 'note' && s.note.kind === 'route' && s.note.rule ? [s.note.rule] : [])));
    expect(rules).toContain('32765:\tfrom 192.168.2.0/24 lookup custom_table');
    expect(rules).toContain('32766:\tfrom all lookup main');
  });
});

describe('the end of a walk', () => {
  const endOf = (walk: LabWalk, host: string, verdict: string) => walk.log.steps.find((s) => s.kind === 'end' && s.host === host && s.disposition?.verdict === verdict)!;

  it('puts a drop by rp_filter at the routing decision (ip_route_input_slow → fib_validate_source)', () => {
    const { walk } = walkOf(join(src, 'gallery/scenarios/g14-rp-filter.json'));
    expect(endOf(walk, 'router', 'no_further_hook')).toMatchObject({ node: 'routing-input', reason: 'route.reverse_path_filter' });
  });

  it('puts a packet to forward with ip_forward=0 at the routing decision (ip_route_input_slow: no IN_DEV_FORWARD)', () => {
    const { walk } = walkOf(join(src, 'gallery/scenarios/g15-forwarding-disabled.json'));
    expect(endOf(walk, 'router', 'no_further_hook')).toMatchObject({ node: 'routing-input', reason: 'route.forwarding_disabled' });
  });

  it('puts every packet that met no further hook at the routing decision or the forward step, never on a table’s box', () => {
    for (const path of cases) {
      const { walk } = walkOf(path);
      for (const s of walk.log.steps) {
        if (s.kind !== 'end' || s.disposition?.verdict !== 'no_further_hook') continue;
        expect(['routing-input', 'routing-output', 'reroute', 'forward-decision', 'ipvs-in']).toContain(s.node);
        expect(s.reason).toMatch(/^(route|forward|ipvs)\./);
      }
    }
  });

  it('puts a DROP at its rule’s box, a delivery at the socket and a transmit on the wire', () => {
    const { walk } = walkOf(join(oracle, '01-input-accept-drop.json'));
    const drop = walk.log.steps.find((s) => s.kind === 'end' && s.disposition?.verdict === 'drop')!;
    expect(drop.kind === 'end' && drop.disposition?.verdict === 'drop' ? drop.node : null).toBe(`filter INPUT`);
    expect(drop).toMatchObject({ reason: 'rule-drop' });
    for (const s of walk.log.steps) {
      if (s.kind !== 'end') continue;
      if (s.disposition?.verdict === 'local') expect(s).toMatchObject({ node: 'local-process', reason: 'delivered' });
      if (s.disposition?.verdict === 'sent') expect(s).toMatchObject({ node: 'iface-out', reason: 'sent' });
    }
  });
});

describe('layer changes', () => {
  it('are listed by path, with a layer that appears as its fields going from null', () => {
    const ip = { src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', ttl: 64, tos: 0, len: 28, id: 1, df: true };
    const a = { ethernet: null, ip, l4: { proto: 'udp' as const, sport: 1, dport: 2, dataLen: 0 }, inner: null, mark: 0, ctmark: null };
    const b = { ...a, ethernet: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, ip: { ...ip, ttl: 63 } };
    expect(layerChanges(a, b)).toEqual([
      { path: 'ethernet.src', before: null, after: '02:00:00:00:00:01' },
      { path: 'ethernet.dst', before: null, after: '02:00:00:00:00:02' },
      { path: 'ip.ttl', before: 64, after: 63 },
    ]);
    expect(layerChanges(null, b)).toEqual([]);
  });
});

// modelled from kernel source (no 8021q on the oracle's kernel): net/8021q/vlan_core.c, vlan_dev.c
describe('the 802.1Q tag (the VLAN gallery scenario)', () => {
  const path = join(src, 'gallery/scenarios/vlan-interface.json');

  it('shows the tag vlan_do_receive took off at the step the packet arrives by the VLAN device', () => {
    const { walk } = walkOf(path);
    const p = walk.log.packets.find((x) => x.host === 'router' && x.step === 1)!;
    const ins = inspect(walk, p.firstStep);
    expect(ins.reason).toBe('ingress.vlan-untag');
    expect(ins.after.ethernet).toMatchObject({ src: '02:00:00:00:02:01', vlan: { vid: 10, prio: 0, protocol: '802.1Q' } });
  });

  it('shows the tag vlan_dev_hard_start_xmit pushed at the transmit step, with the new VLAN id', () => {
    const { walk } = walkOf(path);
    const p = walk.log.packets.find((x) => x.host === 'router' && x.step === 1)!;
    const i = walk.log.steps.findIndex((s, k) => k >= p.firstStep && k <= p.lastStep && isNote(s, 'transmit'));
    const ins = inspect(walk, i);
    expect(ins.reason).toBe('xmit.vlan-tag');
    expect(ins.changes).toEqual(expect.arrayContaining([{ path: 'ethernet.vlan.vid', before: 10, after: 20 }]));
  });

  it('shows no tag on an untagged frame', () => {
    const { walk } = walkOf(join(src, 'gallery/scenarios/g14-rp-filter.json'));
    const p = walk.log.packets.find((x) => x.host === 'router')!;
    expect(inspect(walk, p.firstStep).after.ethernet).not.toHaveProperty('vlan');
  });
});

describe('tunnels show their outer and inner headers where both exist', () => {
  it('VXLAN: the outer packet is IP, UDP to 4789, the VXLAN header (VNI, inner MACs) and the inner datagram (vxlan_xmit, case vxlan-p2p-ping)', () => {
    const { walk } = walkOf(join(oracle, 'vxlan-p2p-ping.json'));
    const outer = walk.log.packets.find((p) => p.host === 'a' && stepsOf(walk, p.id).some((s) => s.headers.proto === 'udp' && s.headers.len === 134))!;
    const ins = inspect(walk, stepsOf(walk, outer.id)[0]!.i);
    expect(ins.after).toMatchObject({
      ip: { proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', len: 134 },
      l4: { proto: 'udp', dport: 4789, sport: 49152 },
      tunnel: { kind: 'vxlan', vni: 42, innerSrcMac: '02:00:00:aa:00:01', innerDstMac: '02:00:00:aa:00:02' },
      inner: { ip: { proto: 'icmp', src: '192.168.100.1', dst: '192.168.100.2', len: 84 } },
    });
  });

  it('marks the encapsulation and the decapsulation as steps with their own reason', () => {
    const { walk } = walkOf(join(oracle, 'vxlan-p2p-ping.json'));
    const reasons = walk.log.steps.map((s, i) => (s.kind === 'note' && s.note.kind === 'tunnel' ? inspect(walk, i).reason : null)).filter((r) => r !== null);
    expect(reasons).toContain('tunnel.encapsulate');
    expect(reasons).toContain('tunnel.decapsulate');
  });
});
