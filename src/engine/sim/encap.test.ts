// GRE and IPIP tunnels in the walk, modelled from kernel source (this
// machine's kernel has neither, so no oracle case can pin them): each test
// names the source lines it follows. VXLAN, which the kernel has, is pinned
// by the oracle cases vxlan-* instead; the tests at the end check the parts
// of it those cases cannot show.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { walkLog } from '../walk-log';
import { ecnEncapsulate, innerHeaderAsMac, vxlanSourcePort } from './encap';
import { defaultTunnelParams } from '../net/tunnel-params';
import { parseIpv4 } from '../net/addr';

type Hdr = { src: string; dst: string; proto: string | number; ttl: number; tos?: number; len: number; dport?: number };
type Pkt = { id: number; host: string; origin: string; in: string | null; headers: Hdr; events: { table: string; chain: string; in: string | null; out: string | null; target: string | null }[]; disposition: { verdict: string; iface?: string; response?: { type: number; code: number } } };
type Result = { packets: Pkt[]; trace_log: { host: string; packet: number; line: string }[]; steps: { result: Record<string, unknown> }[] };

/** two sites on one underlay link, a GRE (or IPIP) tunnel between them, a LAN address on each end's tunnel */
function sites(mode: 'gre' | 'ipip', opts: { a?: string[]; b?: string[]; tunnelA?: string; tunnelB?: string; steps?: unknown[]; listeners?: unknown[] } = {}) {
  const json = {
    name: `${mode}-sites`,
    hosts: [
      { name: 'a', setup: ['ip addr add 198.51.100.2/24 dev eth0', `ip tunnel add tun0 mode ${mode} remote 198.51.100.5 local 198.51.100.2${opts.tunnelA ?? ''}`, 'ip link set tun0 up', 'ip addr add 172.16.0.1/30 dev tun0', ...(opts.a ?? [])] },
      { name: 'b', setup: ['ip addr add 198.51.100.5/24 dev eth0', `ip tunnel add tun0 mode ${mode} remote 198.51.100.2 local 198.51.100.5${opts.tunnelB ?? ''}`, 'ip link set tun0 up', 'ip addr add 172.16.0.2/30 dev tun0', ...(opts.b ?? [])] },
    ],
    links: [['a:eth0', 'b:eth0']],
    listeners: opts.listeners ?? [],
    steps: opts.steps ?? [{ from: 'a', ping: '172.16.0.2' }],
  };
  const r = runCase(json);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { result: r.result as unknown as Result, log: walkLog(r.world), world: r.world };
}

const chains = (p: Pkt) => p.events.map((e) => `${e.table}:${e.chain}`);
const LOCAL_OUT = ['raw:OUTPUT', 'mangle:OUTPUT', 'filter:OUTPUT', 'security:OUTPUT', 'mangle:POSTROUTING'];
const LOCAL_IN = ['raw:PREROUTING', 'mangle:PREROUTING', 'mangle:INPUT', 'filter:INPUT', 'security:INPUT'];

describe('a GRE tunnel between two sites (modelled from net/ipv4/ip_gre.c, ip_tunnel.c)', () => {
  const { result, log } = sites('gre');
  const pk = result.packets;

  it('routes the inner echo request to tun0, then walks its outer GRE packet (protocol 47) through OUTPUT and POSTROUTING on eth0', () => {
    expect(result.steps[0]!.result).toMatchObject({ result: 'reply', from: '172.16.0.2' });
    const inner = pk[0]!;
    expect(inner).toMatchObject({ host: 'a', origin: 'local', headers: { src: '172.16.0.1', dst: '172.16.0.2', proto: 'icmp' }, disposition: { verdict: 'sent', iface: 'tun0' } });
    expect(chains(inner)).toEqual(LOCAL_OUT);
    const outer = pk[1]!;
    expect(outer).toMatchObject({ host: 'a', origin: 'local', headers: { src: '198.51.100.2', dst: '198.51.100.5', proto: 47, len: 84 + 24 }, disposition: { verdict: 'sent', iface: 'eth0' } });
    expect(chains(outer)).toEqual(LOCAL_OUT);
    expect(outer.events.map((e) => e.out)).toEqual(['eth0', 'eth0', 'eth0', 'eth0', 'eth0']);
  });

  it('receives the outer packet in PREROUTING and INPUT, then the inner one again with IN=tun0 and an empty MAC= (no link-layer header)', () => {
    const far = pk.filter((p) => p.host === 'b');
    expect(far[0]).toMatchObject({ in: 'eth0', headers: { proto: 47 }, disposition: { verdict: 'local' } });
    expect(chains(far[0]!)).toEqual(LOCAL_IN);
    expect(far[1]).toMatchObject({ in: 'tun0', headers: { src: '172.16.0.1', dst: '172.16.0.2', proto: 'icmp', ttl: 64 }, disposition: { verdict: 'local' } });
    const line = result.trace_log.find((l) => l.packet === far[1]!.id)!.line;
    expect(line).toMatch(/^TRACE: raw:PREROUTING:policy:1 IN=tun0 OUT= MAC= SRC=172\.16\.0\.1 /);
  });

  it('prints PROTO=47 for the outer packet, and IN=tun0 in its POSTROUTING line (ip_output passes skb->dev, still the tunnel)', () => {
    const outerLines = result.trace_log.filter((l) => l.packet === pk[1]!.id).map((l) => l.line);
    expect(outerLines[0]).toMatch(/IN= OUT=eth0 SRC=198\.51\.100\.2 DST=198\.51\.100\.5 LEN=108 .* DF PROTO=47/);
    // dump_mac_header prints eth0's 14 bytes at skb_mac_header: the inner IP header's first 14
    expect(outerLines.at(-1)).toMatch(/^TRACE: mangle:POSTROUTING:policy:1 IN=tun0 OUT=eth0 MAC=45:00:00:54:/);
  });

  it('shows encapsulation and decapsulation as steps of their own, labelled modelled', () => {
    const notes = log.steps.filter((s) => s.kind === 'note' && s.note.kind === 'tunnel').map((s) => (s.kind === 'note' ? s.note : null));
    expect(notes[0]).toMatchObject({ action: 'encapsulate', mode: 'gre', dev: 'tun0', modelled: true, outer: { src: '198.51.100.2', dst: '198.51.100.5', carrier: 'GRE' } });
    expect(notes[1]).toMatchObject({ action: 'decapsulate', mode: 'gre', dev: 'tun0', modelled: true });
  });
});

describe('tunnel MTU (ip_tunnel_bind_dev: the underlay MTU minus tunnel->hlen + 20)', () => {
  it('gives tun0 1476 for GRE, 1472 with a key, 1480 for IPIP, so a SYN over it offers MSS 1436', () => {
    const gre = sites('gre', { steps: [{ from: 'a', tcp: '172.16.0.2:80' }], listeners: [{ host: 'b', proto: 'tcp', port: 80 }] });
    const link = (w: typeof gre.world, h: string) => w.hosts.get(h)!.net.links.find((l) => l.name === 'tun0')!.mtu;
    expect(link(gre.world, 'a')).toBe(1476);
    expect(gre.result.trace_log[0]!.line).toContain('OPT (020405');
    expect(gre.result.trace_log[0]!.line).toMatch(/OPT \(0204059C/); // 0x059c = 1436
    expect(link(sites('gre', { tunnelA: ' key 7', tunnelB: ' key 7' }).world, 'a')).toBe(1472);
    expect(link(sites('ipip').world, 'a')).toBe(1480);
  });
});

describe('outer TTL and TOS (ip_tunnel_xmit)', () => {
  it('inherits the inner TTL by default (ttl 0) and takes a fixed one with ttl N', () => {
    const inherit = sites('gre', { steps: [{ from: 'a', packet: { proto: 'udp', dst: '172.16.0.2', dport: 9, ttl: 9 } }] });
    expect(inherit.result.packets[1]!.headers).toMatchObject({ proto: 47, ttl: 9 });
    const fixed = sites('gre', { tunnelA: ' ttl 200', steps: [{ from: 'a', packet: { proto: 'udp', dst: '172.16.0.2', dport: 9, ttl: 9 } }] });
    expect(fixed.result.packets[1]!.headers).toMatchObject({ proto: 47, ttl: 200 });
  });

  it('copies the inner TOS with tos inherit (tos & 0x1), keeps its own otherwise, and turns an inner CE into ECT(0) (INET_ECN_encapsulate)', () => {
    const inherit = sites('gre', { tunnelA: ' tos inherit', steps: [{ from: 'a', packet: { proto: 'udp', dst: '172.16.0.2', dport: 9, tos: 0x10 } }] });
    expect(inherit.result.packets[1]!.headers.tos).toBe(0x10);
    const own = sites('gre', { tunnelA: ' tos 0x28', steps: [{ from: 'a', packet: { proto: 'udp', dst: '172.16.0.2', dport: 9, tos: 0x10 } }] });
    expect(own.result.packets[1]!.headers.tos).toBe(0x28);
    expect(ecnEncapsulate(0x28, 0x13)).toBe(0x2a);
    expect(ecnEncapsulate(0x28, 0x11)).toBe(0x29);
  });
});

describe('iptables sees the outer packet and the inner one separately', () => {
  it('-p gre in INPUT on the far end drops the outer packet: nothing comes out of tun0', () => {
    const { result } = sites('gre', { b: ['iptables -A INPUT -p gre -j DROP'] });
    const far = result.packets.filter((p) => p.host === 'b');
    expect(far).toHaveLength(1);
    expect(far[0]).toMatchObject({ headers: { proto: 47 }, disposition: { verdict: 'drop' } });
    expect(result.steps[0]!.result).toMatchObject({ result: 'timeout' });
  });

  it('-i tun0 matches only the decapsulated packet, -p 4 only the IPIP outer one', () => {
    const { result } = sites('ipip', { b: ['iptables -A INPUT -i tun0 -j ACCEPT', 'iptables -A INPUT -p 4 -j ACCEPT'] });
    const far = result.packets.filter((p) => p.host === 'b');
    expect(far[0]!.headers.proto).toBe(4);
    expect(far[0]!.events.find((e) => e.chain === 'INPUT' && e.table === 'filter')).toMatchObject({ target: 'ACCEPT', in: 'eth0' });
    expect(result.trace_log.find((l) => l.packet === far[0]!.id && l.line.includes('filter:INPUT'))!.line).toContain('filter:INPUT:rule:2');
    expect(result.trace_log.find((l) => l.packet === far[1]!.id && l.line.includes('filter:INPUT'))!.line).toContain('filter:INPUT:rule:1 IN=tun0');
  });
});

describe('the receive side (ip_tunnel_lookup, gre_rcv)', () => {
  it('answers a GRE packet whose key no tunnel has with ICMP port unreachable', () => {
    const { result, log } = sites('gre', { tunnelA: ' key 1', tunnelB: ' key 2' });
    const far = result.packets.find((p) => p.host === 'b' && p.headers.proto === 47)!;
    expect(far.disposition.response).toMatchObject({ type: 3, code: 3 });
    expect(log.steps.some((s) => s.kind === 'note' && s.note.kind === 'tunnel' && s.note.action === 'drop' && s.host === 'b')).toBe(true);
  });
});

describe('VXLAN details the oracle cases cannot show', () => {
  it('takes one source port from a range of one (srcport P P+1), else hashes the inner flow into ip_local_port_range', () => {
    const p = { ...defaultTunnelParams('vxlan'), srcport: [49152, 49153] as [number, number] };
    expect(vxlanSourcePort(p, null)).toBe(49152);
    const inner = { src: parseIpv4('10.1.0.1')!, dst: parseIpv4('10.1.0.2')!, proto: 17, sport: 1, dport: 2, ttl: 64, tos: 0, len: 30, ipid: 1, df: true, mark: 0, payload: '' };
    const port = vxlanSourcePort(defaultTunnelParams('vxlan'), inner);
    expect(port).toBeGreaterThanOrEqual(32768);
    expect(port).toBeLessThan(60999);
  });

  it('prints the inner IP header bytes as MAC= the way dump_mac_header reads them (checksum included)', () => {
    const m = innerHeaderAsMac({ src: parseIpv4('172.16.0.1')!, dst: parseIpv4('172.16.0.2')!, proto: 1, ttl: 64, tos: 0, len: 84, ipid: 1, df: true, mark: 0, payload: '' });
    expect(m.dst).toBe('45:00:00:54:00:01');
    // 40 00 | 40 01 | checksum of the whole header
    expect(m.src).toMatch(/^40:00:40:01:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(m.ethertype).toBe(0xac10);
    const sum = [0x4500, 0x0054, 0x0001, 0x4000, 0x4001, parseInt(m.src.slice(12).replace(':', ''), 16), 0xac10, 0x0001, 0xac10, 0x0002].reduce((a, b) => a + b, 0);
    expect((sum & 0xffff) + (sum >>> 16)).toBe(0xffff);
  });
});
