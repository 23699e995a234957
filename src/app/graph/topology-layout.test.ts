// The topology: hosts in columns by distance, wires between the right boxes,
// and the dot crossing a wire only when a packet does.

import { describe, expect, it } from 'vitest';
import type { WalkLog, WalkStep } from '../../engine/walk-log';
import { centre, fateAt, hostAt, perch, topologyDotPath, topologyLayout } from './topology-layout';

const host = (name: string, ifaces: string[]) => ({
  name,
  interfaces: [{ name: 'lo', mac: null, addrs: ['127.0.0.1/8'], master: null }, ...ifaces.map((i, k) => ({ name: i, mac: null, addrs: [`10.0.${k}.1/24`], master: null }))],
  tables: {},
  routes: '',
  rules: '',
  conntrack: [],
  conntrackActive: false,
});

const chainLog = (steps: Partial<WalkStep>[] = []) =>
  ({
    scenario: 's',
    hosts: [host('client', ['eth0']), host('router', ['eth0', 'eth1']), host('web', ['eth0'])],
    links: [
      ['client:eth0', 'router:eth0'],
      ['router:eth1', 'web:eth0'],
    ],
    switches: [],
    packets: [],
    steps: steps.map((s, i) => ({ i, packet: 1, node: 'iface-in', ...s })),
    scenarioSteps: [],
    traceLog: [],
  }) as unknown as WalkLog;

describe('the topology layout', () => {
  it('places hosts left to right by distance from the first', () => {
    const l = topologyLayout(chainLog());
    const x = (id: string) => l.nodes.find((n) => n.id === id)!.x;
    expect(x('host:client')).toBeLessThan(x('host:router'));
    expect(x('host:router')).toBeLessThan(x('host:web'));
  });

  it('lists each host’s interfaces without lo', () => {
    const l = topologyLayout(chainLog());
    expect(l.nodes.find((n) => n.id === 'host:router')!.interfaces.map((i) => i.name)).toEqual(['eth0', 'eth1']);
  });

  it('draws one wire per link, labelled with the interfaces at its ends', () => {
    const l = topologyLayout(chainLog());
    expect(l.edges.map((e) => [e.source, e.target, e.label])).toEqual([
      ['host:client', 'host:router', 'eth0 — eth0'],
      ['host:router', 'host:web', 'eth1 — eth0'],
    ]);
  });

  it('puts a switch between the hosts on its ports', () => {
    const log = { ...chainLog(), links: [], switches: [{ name: 'sw0', ports: ['client:eth0', 'router:eth0', 'web:eth0'] }] } as WalkLog;
    const l = topologyLayout(log);
    const sw = l.nodes.find((n) => n.id === 'switch:sw0')!;
    expect(sw.kind).toBe('switch');
    expect(l.edges.filter((e) => e.source === 'switch:sw0' || e.target === 'switch:sw0')).toHaveLength(3);
    // hosts sit on either side of the switch, not on top of each other
    const ys = l.nodes.filter((n) => n.kind === 'host' && n.x === l.nodes.find((m) => m.id === 'host:router')!.x).map((n) => n.y);
    expect(new Set(ys).size).toBe(ys.length);
  });
});

describe('the dot on the topology', () => {
  const log = chainLog([
    { host: 'client', kind: 'end', packet: 1 },
    { host: 'router', kind: 'ingress', packet: 2, from: { host: 'client', packet: 1 } } as Partial<WalkStep>,
    { host: 'router', kind: 'rule', packet: 2 },
  ]);
  const l = topologyLayout(log);
  const box = (id: string) => l.nodes.find((n) => n.id === id)!;

  it('crosses the wire when a packet arrives from another host', () => {
    const pts = topologyDotPath(l, log, 0, 1);
    expect(pts[0]).toEqual(perch(box('host:client')));
    expect(pts).toContainEqual(centre(box('host:router')));
    expect(pts[pts.length - 1]).toEqual(perch(box('host:router')));
    expect(topologyDotPath(l, log, 1, 0)).toEqual([...pts].reverse());
  });

  it('stays on the host while the packet is inside it', () => {
    expect(topologyDotPath(l, log, 1, 2)).toEqual([perch(box('host:router'))]);
    expect(hostAt(log, 2)).toBe('router');
    expect(hostAt(log, -1)).toBeNull();
  });
});

describe('where the packet ended, on the topology', () => {
  const walk = async (file: string) => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { runCase } = await import('../../engine/run-case');
    const { walkLog } = await import('../../engine/walk-log');
    const r = runCase(JSON.parse(readFileSync(join(__dirname, '..', '..', 'gallery', 'scenarios', file), 'utf8')));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return walkLog(r.world);
  };

  it('marks a drop after routing on the router, at the device the packet came in on, at its end step only', async () => {
    const log = await walk('g15-forwarding-disabled.json');
    const end = log.steps.findIndex((s) => s.kind === 'end' && s.reason === 'route.forwarding_disabled');
    expect(end).toBeGreaterThan(0);
    const at = log.steps[end]!;
    const ingress = log.steps.slice(0, end).findLast((s) => s.kind === 'ingress' && s.packet === at.packet && s.host === at.host);
    expect(ingress?.kind).toBe('ingress');
    expect(fateAt(log, end)).toEqual({ host: at.host, iface: ingress?.kind === 'ingress' ? ingress.iface : null, reason: 'route.forwarding_disabled' });
    // the step before it, and every step that is not a walk's end, has none
    expect(fateAt(log, end - 1)).toBeNull();
    expect(log.steps.filter((s) => s.kind !== 'end' && fateAt(log, s.i) !== null)).toEqual([]);
    expect(fateAt(log, -1)).toBeNull();
    expect(fateAt(null, 0)).toBeNull();
  });

  it('marks a send at the device the packet left by', async () => {
    const log = await walk('g03-block-ping.json');
    const sent = log.steps.filter((s) => s.kind === 'end' && s.reason === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    for (const s of sent) {
      const fate = fateAt(log, s.i)!;
      const host = log.hosts.find((h) => h.name === s.host)!;
      expect(fate.host).toBe(s.host);
      expect(host.interfaces.map((i) => i.name)).toContain(fate.iface);
      expect(fate.iface).not.toBe('lo');
      // the wire from that device leads to the host where the same packet arrives next
      const next = log.steps.find((n) => n.kind === 'ingress' && n.from?.host === s.host && n.from.packet === s.packet);
      if (next?.kind === 'ingress') expect(log.links.some(([a, b]) => (a === `${s.host}:${fate.iface}` && b === `${next.host}:${next.iface}`) || (b === `${s.host}:${fate.iface}` && a === `${next.host}:${next.iface}`))).toBe(true);
    }
  });
});

describe('VLAN devices in the topology', () => {
  it('lists each VLAN device right after its real device, with its id', () => {
    const r = host('router', ['eth0', 'eth1']);
    r.interfaces.push(
      { name: 'eth0.20', mac: null, addrs: ['10.0.20.1/24'], master: null, vlan: { parent: 'eth0', id: 20, protocol: '802.1Q' } } as never,
      { name: 'eth1.5', mac: null, addrs: [], master: null, vlan: { parent: 'eth1', id: 5, protocol: '802.1Q' } } as never,
      { name: 'eth0.20.7', mac: null, addrs: [], master: null, vlan: { parent: 'eth0.20', id: 7, protocol: '802.1Q' } } as never,
    );
    const log = { ...chainLog(), hosts: [r] } as unknown as WalkLog;
    const spec = topologyLayout(log).nodes.find((n) => n.id === 'host:router')!;
    expect(spec.interfaces.map((i) => i.name)).toEqual(['eth0', 'eth0.20', 'eth0.20.7', 'eth1', 'eth1.5']);
    expect(spec.interfaces[1]).toEqual({ name: 'eth0.20', addrs: ['10.0.20.1/24'], vlan: { parent: 'eth0', id: 20 } });
    expect(spec.interfaces[0]!.vlan).toBeUndefined();
  });
});

describe('tunnels on the topology', () => {
  it('draw a GRE tunnel as a dashed path above the hosts, from the site that names the remote to the host that has that address', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { runCase } = await import('../../engine/run-case');
    const { walkLog } = await import('../../engine/walk-log');
    const r = runCase(JSON.parse(readFileSync(join(__dirname, '..', '..', 'gallery', 'scenarios', 'gre-two-sites.json'), 'utf8')));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const layout = topologyLayout(walkLog(r.world));
    const tunnels = layout.edges.filter((e) => e.tunnel);
    // both ends name each other: one path, not two
    expect(tunnels).toEqual([expect.objectContaining({ source: 'host:sitea', target: 'host:siteb', tunnel: 'tun0 GRE' })]);
    const top = Math.min(...layout.nodes.map((n) => n.y));
    const [a, up1, up2, b] = tunnels[0]!.points;
    expect(up1!.y).toBeLessThan(top);
    expect(up2!.y).toBe(up1!.y);
    expect(a).toEqual(perch(layout.nodes.find((n) => n.id === 'host:sitea')!));
    expect(b).toEqual(perch(layout.nodes.find((n) => n.id === 'host:siteb')!));
    // the wires stay as they are
    expect(layout.edges.filter((e) => !e.tunnel)).toHaveLength(4);
  });
});

describe('a namespace inside a host', () => {
  const nsLog = () =>
    ({
      ...chainLog(),
      hosts: [host('client', ['eth0']), host('web', ['eth0', 'veth0']), { ...host('app', ['veth1']), in: 'web' }, { ...host('db', ['veth3']), in: 'web' }],
      links: [
        ['client:eth0', 'web:eth0'],
        ['web:veth0', 'app:veth1'],
        ['web:veth2', 'db:veth3'],
      ],
    }) as unknown as WalkLog;

  it('is drawn inside its host\'s box, one below the other, and after it', () => {
    const l = topologyLayout(nsLog());
    const box = (id: string) => l.nodes.find((n) => n.id === id)!;
    const web = box('host:web');
    for (const id of ['host:app', 'host:db']) {
      const ns = box(id);
      expect(ns.in).toBe('web');
      expect(ns.x).toBeGreaterThan(web.x);
      expect(ns.x + ns.w).toBeLessThan(web.x + web.w);
      expect(ns.y).toBeGreaterThan(web.y);
      expect(ns.y + ns.h).toBeLessThanOrEqual(web.y + web.h);
      expect(l.nodes.indexOf(ns)).toBeGreaterThan(l.nodes.indexOf(web));
    }
    expect(box('host:db').y).toBeGreaterThanOrEqual(box('host:app').y + box('host:app').h);
  });

  it('takes no column of its own: the host keeps its place after the client', () => {
    const l = topologyLayout(nsLog());
    const xs = new Set(l.nodes.filter((n) => n.in === undefined).map((n) => n.x));
    expect(xs.size).toBe(2);
  });

  it('keeps the veth wire between host and namespace', () => {
    const l = topologyLayout(nsLog());
    expect(l.edges.some((e) => [e.source, e.target].sort().join() === 'host:app,host:web')).toBe(true);
  });
});
