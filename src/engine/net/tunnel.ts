// pattern: Functional Core
// Tunnel devices as iproute2 makes them: `ip tunnel add|del|show` (ip/iptunnel.c,
// GRE and IPIP through the SIOC*TUNNEL ioctls) and the type options of
// `ip link add NAME type gre|ipip|vxlan …` (ip/link_gre.c, link_iptnl.c,
// link_vxlan.c), with what the kernel does on creation: the device's MTU
// (the underlay's MTU minus what encapsulation adds) and its refusals.
//
// VXLAN is checked against this machine's kernel (oracle cases vxlan-*). GRE
// and IPIP are not in it: they follow the kernel source, cited per rule, and
// the console labels them "modelled from kernel source".
//
// Message catalogue (iproute2 6.1):
//   Unknown IP tunnel mode "x"                                  iptunnel.c parse_args
//   cannot determine tunnel mode (ipip, gre, vti or sit)        iptunnel.c do_add
//   ttl != 0 and nopmtudisc are incompatible                    iptunnel.c do_add
//   add tunnel "gre0" failed: File exists                       iptunnel.c tnl_add_ioctl
//   delete tunnel "x" failed: No such device                    tunnel.c tnl_del_ioctl
//   vxlan: missing virtual network identifier                   link_vxlan.c
//   vxlan: unknown command "x"?                                 link_vxlan.c (gre:, ipip: alike)

import type { Diagnostic } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import { formatIpv4, type Ipv4 } from './addr';
import type { HostNet } from './config';
import { addLink, deleteLink, findLink } from './config';
import { outputRoute } from './fib';
import type { BaseFields, Cursor, IpBase, WordRef } from './ip-args';
import { kernelError, parseIpv4Loose, parseU32, ref, validIfname } from './ip-args';
import { defaultTunnelParams, tunnelOverhead, VXLAN_HEADROOM, type TunnelMode, type TunnelParams } from './tunnel-params';

export interface IpTunnelCommand extends IpBase {
  object: 'tunnel';
  verb: 'add' | 'delete' | 'show';
  name: WordRef | null;
  mode: TunnelMode | null;
  params: TunnelParams;
  /** `dev D`, checked against the links when applied */
  dev: WordRef | null;
  /** `nopmtudisc` given together with a TTL (refused by do_add) */
  ttlWord: WordRef | null;
}

/** do_iptunnel's verbs in its order; [word, verb, exact?] ('' : known to ip but not modelled) */
export const TUNNEL_VERBS: readonly [string, string, boolean][] = [
  ['add', 'add', false],
  ['change', '', false],
  ['delete', 'delete', false],
  ['show', 'show', false],
  ['lst', 'show', false],
  ['list', 'show', false],
];

/** the kernel's fallback device per mode, the name ip's ioctls go through (tnl_add_ioctl's basedev) */
const BASE_DEV: Readonly<Record<'gre' | 'ipip', string>> = { gre: 'gre0', ipip: 'tunl0' };

function addrWord(c: Cursor, w: Word): Ipv4 | null {
  if (w.text === 'any') return 0;
  const a = parseIpv4Loose(w.text);
  if (a === null) c.fail(w, `Error: an IP address is expected rather than "${w.text}".`, 'ip/invalid-address', 'an IPv4 address');
  return a;
}

/** tnl_parse_key: a dotted quad or an unsigned number */
function keyWord(c: Cursor, keyword: string, w: Word): number | null {
  if (w.text.includes('.')) return addrWord(c, w);
  const n = parseU32(w.text);
  if (n === null) c.fail(w, `invalid value for "${keyword}": "${w.text}"; it should be an unsigned integer`, 'ip/invalid-key', 'an unsigned integer');
  return n;
}

/** get_u8 for `ttl`; `inherit` is 0 */
function ttlWord(c: Cursor, w: Word): number | null {
  if (w.text === 'inherit') return 0;
  const n = parseU32(w.text);
  if (n === null || n > 255) {
    c.invarg(w, 'invalid TTL');
    return null;
  }
  return n;
}

/** rtnl_dsfield_a2n (a hex number) for `tos`; `inherit` is 1 */
function tosWord(c: Cursor, w: Word): number | null {
  if (w.text === 'inherit') return 1;
  const t = w.text.replace(/^0[xX]/, '');
  const n = /^[0-9a-fA-F]{1,2}$/.test(t) ? parseInt(t, 16) : null;
  if (n === null) c.invarg(w, 'bad TOS value');
  return n;
}

/**
 * One GRE/IPIP keyword shared by `ip tunnel` (parse_args) and `ip link … type
 * gre|ipip` (gre_parse_opt, iptunnel_parse_opt). False: not a tunnel keyword.
 */
function tunnelKeyword(c: Cursor, w: Word, p: TunnelParams, cmd: { dev: WordRef | null; ttlWord: WordRef | null }): boolean {
  const t = w.text;
  if (t === 'remote' || t === 'local') {
    const a = c.arg(w, 'an IPv4 address');
    const v = a ? addrWord(c, a) : null;
    if (v !== null) p[t] = v;
  } else if (t === 'key' || t === 'ikey' || t === 'okey') {
    const a = c.arg(w, 'a key');
    const v = a ? keyWord(c, t, a) : null;
    if (v !== null && t !== 'okey') p.ikey = v;
    if (v !== null && t !== 'ikey') p.okey = v;
  } else if (t === 'ttl' || t === 'hoplimit') {
    const a = c.arg(w, 'a TTL or inherit');
    const v = a ? ttlWord(c, a) : null;
    if (v !== null) p.ttl = v;
    if (a && v) cmd.ttlWord = ref(a);
  } else if (t === 'tos' || t === 'tclass' || t === 'dsfield') {
    const a = c.arg(w, 'a TOS or inherit');
    const v = a ? tosWord(c, a) : null;
    if (v !== null) p.tos = v;
  } else if (t === 'dev') {
    const a = c.arg(w, 'a device name');
    if (a) cmd.dev = ref(a);
  } else if (t === 'pmtudisc') p.pmtudisc = true;
  else if (t === 'nopmtudisc') p.pmtudisc = false;
  else return false;
  return true;
}

/** `ip tunnel add|del|show [NAME] [mode gre|ipip] [remote R] [local L] [ttl N] [tos T] [key K] [dev D]` */
export function parseTunnel(c: Cursor, b: BaseFields, verb: IpTunnelCommand['verb']): IpTunnelCommand {
  const cmd: IpTunnelCommand = { ...b, object: 'tunnel', verb, name: null, mode: null, params: defaultTunnelParams('gre'), dev: null, ttlWord: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (t === 'mode') {
      const a = c.arg(w, 'gre or ipip');
      if (!a) break;
      if (a.text === 'gre' || a.text === 'gre/ip') cmd.mode = 'gre';
      else if (a.text === 'ipip' || a.text === 'ip/ip') cmd.mode = 'ipip';
      else if (['sit', 'ipv6/ip', 'isatap', 'vti', 'vti/ip'].includes(a.text)) c.fail(a, `mode ${a.text} is not modelled: PacketWalk has gre and ipip tunnels`, 'ip/tunnel-mode-not-modelled', 'gre or ipip');
      else c.fail(a, `Unknown IP tunnel mode "${a.text}"`, 'ip/unknown-tunnel-mode', 'gre or ipip');
    } else if (tunnelKeyword(c, w, cmd.params, cmd)) continue;
    else {
      let n: Word | null = w;
      if (t === 'name') n = c.arg(w, 'a tunnel name');
      if (!n) break;
      if (cmd.name) c.fail(n, `Error: either "name" is duplicate, or "${n.text}" is a garbage.`, 'ip/duplicate-argument');
      else if (!validIfname(n.text)) c.invarg(n, '"name" not a valid ifname');
      else cmd.name = ref(n);
    }
  }
  if (cmd.mode) cmd.params.mode = cmd.mode;
  if (c.failed) return cmd;
  if (verb === 'add') {
    if (cmd.params.ttl !== 0 && !cmd.params.pmtudisc) c.fail(cmd.ttlWord ?? b.verbSpan, 'ttl != 0 and nopmtudisc are incompatible', 'ip/ttl-nopmtudisc');
    else if (!cmd.mode) c.fail(b.verbSpan, 'cannot determine tunnel mode (ipip, gre, vti or sit)', 'ip/tunnel-mode-missing', 'mode gre or mode ipip');
  }
  if (verb === 'delete' && !cmd.name && !c.failed) c.fail(b.verbSpan, 'Not enough information: the tunnel name is required.', 'ip/missing-dev', 'a tunnel name');
  return cmd;
}

/**
 * The words after `ip link add NAME type gre|ipip|vxlan`: the type's own
 * parser (link_gre.c, link_iptnl.c, link_vxlan.c). `dev` is the type's
 * underlay link (IFLA_*_LINK), not the new device.
 */
export function parseLinkTunnelOptions(c: Cursor, mode: TunnelMode, kindWord: Word): { params: TunnelParams; dev: WordRef | null } {
  const params = defaultTunnelParams(mode);
  const cmd = { dev: null as WordRef | null, ttlWord: null as WordRef | null };
  let vni: number | null = null;
  let dstport = false;
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (mode === 'vxlan') {
      if (t === 'id' || t === 'vni') {
        const a = c.arg(w, 'a VNI');
        if (!a) break;
        const n = parseU32(a.text);
        if (n === null || n >= 1 << 24) c.invarg(a, 'invalid id');
        else vni = n;
      } else if (t === 'remote' || t === 'group' || t === 'local' || t === 'dev' || t === 'tos' || t === 'tclass' || t === 'dsfield') {
        tunnelKeyword(c, t === 'group' ? { ...w, text: 'remote' } : w, params, cmd);
      } else if (t === 'ttl' || t === 'hoplimit') {
        const a = c.arg(w, 'a TTL, auto or inherit');
        if (!a) break;
        if (a.text === 'inherit') params.ttlInherit = true;
        else if (a.text !== 'auto') {
          const v = ttlWord(c, a);
          if (v !== null) params.ttl = v;
        }
      } else if (t === 'df') {
        const a = c.arg(w, 'set, unset or inherit');
        if (!a) break;
        if (a.text === 'set' || a.text === 'unset' || a.text === 'inherit') params.df = a.text;
        else c.invarg(a, "df must be 'unset', 'set' or 'inherit'");
      } else if (t === 'dstport') {
        const a = c.arg(w, 'a UDP port');
        if (!a) break;
        const n = parseU32(a.text);
        if (n === null || n > 65535) c.invarg(a, 'dstport');
        else params.dstport = n;
        dstport = true;
      } else if (t === 'srcport' || t === 'port') {
        const lo = c.arg(w, 'the lowest source port');
        if (!lo) break;
        const a = parseU32(lo.text);
        if (a === null || a > 65535) {
          c.invarg(lo, 'min port');
          break;
        }
        const hi = c.arg(lo, 'the source port after the highest');
        if (!hi) break;
        const z = parseU32(hi.text);
        if (z === null || z > 65535) c.invarg(hi, 'max port');
        else if (z < a) c.fail(hi, 'Error: Invalid source port range.', 'ip/invalid-port-range', 'a port not below the first');
        else params.srcport = [a, z];
      } else if (t === 'learning') params.learning = true;
      else if (t === 'nolearning') params.learning = false;
      else c.fail(w, `vxlan: unknown command "${t}"?`, 'ip/unknown-type-option', 'a vxlan option');
      continue;
    }
    if (!tunnelKeyword(c, w, params, cmd)) c.fail(w, `${mode}: unknown command "${t}"?`, 'ip/unknown-type-option', `a ${mode} option`);
  }
  if (mode === 'vxlan' && !c.failed) {
    if (vni === null) c.fail(kindWord, 'vxlan: missing virtual network identifier', 'ip/vxlan-no-id', 'id VNI');
    else params.vni = vni;
    // link_vxlan.c warns and lets the kernel pick its own default, 8472 (VXLAN_LINUX_DEFAULT_PORT)
    if (!dstport) params.dstport = 8472;
  }
  if (mode !== 'vxlan' && params.ttl !== 0 && !params.pmtudisc && !c.failed) c.fail(cmd.ttlWord ?? kindWord, 'ttl != 0 and nopmtudisc are incompatible', 'ip/ttl-nopmtudisc');
  return { params, dev: cmd.dev };
}

/**
 * The MTU a new tunnel device gets.
 * gre/ipip: ip_tunnel_bind_dev (net/ipv4/ip_tunnel.c) guesses the underlay by
 * an output route to `remote` (else `dev`), and takes its MTU minus
 * t_hlen = tunnel->hlen + sizeof(struct iphdr); without either, ETH_DATA_LEN
 * minus t_hlen.
 * vxlan: vxlan_config_apply (drivers/net/vxlan/vxlan_core.c) takes the lower
 * device's MTU minus VXLAN_HEADROOM when `dev` is given, else ETH_DATA_LEN.
 */
export function tunnelMtu(net: HostNet, p: TunnelParams): number {
  if (p.mode === 'vxlan') {
    const lower = p.link ? findLink(net, p.link) : undefined;
    return lower ? lower.mtu - VXLAN_HEADROOM : 1500;
  }
  let under: number | null = null;
  if (p.remote !== 0) {
    const r = outputRoute(net, { knownNh: false, src: p.local, dst: p.remote, oif: p.link, mark: 0, tos: p.tos & 0xfc, proto: p.mode === 'gre' ? 47 : 4, sport: 0, dport: 0, anySrc: true });
    if (r.ok) under = findLink(net, r.dev)?.mtu ?? null;
  }
  if (under === null && p.link) under = findLink(net, p.link)?.mtu ?? null;
  return Math.max(68, (under ?? 1500) - tunnelOverhead(p));
}

/** ip_tunnel_find: a tunnel of the same mode with the same ends, underlay and key is the same tunnel */
function sameTunnel(a: TunnelParams, b: TunnelParams): boolean {
  return a.mode === b.mode && a.local === b.local && a.remote === b.remote && a.link === b.link && a.ikey === b.ikey;
}

/** Make a tunnel device (down, like any new link). null: made; else the kernel's error text. */
export function createTunnel(net: HostNet, name: string, params: TunnelParams, mac: string): string | null {
  if (params.mode !== 'vxlan' && net.links.some((l) => l.tunnel && sameTunnel(l.tunnel, params))) return 'File exists';
  if (params.mode === 'vxlan' && net.links.some((l) => l.tunnel?.mode === 'vxlan' && l.tunnel.vni === params.vni && l.tunnel.dstport === params.dstport)) return 'File exists';
  if (!addLink(net, name, params.mode, params.mode === 'vxlan' ? mac : '00:00:00:00:00:00')) return 'File exists';
  const link = findLink(net, name)!;
  link.tunnel = params;
  link.mtu = tunnelMtu(net, params);
  return null;
}

export function applyTunnel(net: HostNet, cmd: IpTunnelCommand): Diagnostic[] {
  const name = cmd.name;
  if (cmd.verb === 'show') {
    if (name && !findLink(net, name.text)?.tunnel) return [kernelError(name, `get tunnel "${name.text}" failed: No such device`, 'ip/no-device')];
    return [];
  }
  if (cmd.verb === 'delete') {
    const l = name ? findLink(net, name.text) : undefined;
    if (!name || !l || !l.tunnel || l.tunnel.mode === 'vxlan') return [kernelError(name ?? cmd.verbSpan, `delete tunnel "${name?.text ?? ''}" failed: No such device`, 'ip/no-device')];
    deleteLink(net, name.text);
    return [];
  }
  const mode = cmd.mode === 'ipip' ? 'ipip' : 'gre';
  const params: TunnelParams = { ...cmd.params, mode };
  if (cmd.dev) {
    if (!findLink(net, cmd.dev.text)) return [kernelError(cmd.dev, `Cannot find device "${cmd.dev.text}"`, 'ip/no-device')];
    params.link = cmd.dev.text;
  }
  // ip_tunnel_ctl: a fixed TTL always sets DF on the outer header
  if (params.ttl !== 0) params.pmtudisc = true;
  // an unnamed tunnel gets the kind's name with a number (__ip_tunnel_create: "gre%d")
  const devName = name?.text ?? nextName(net, mode === 'gre' ? 'gre' : 'tunl');
  const err = createTunnel(net, devName, params, '00:00:00:00:00:00');
  return err ? [kernelError(name ?? cmd.verbSpan, `add tunnel "${BASE_DEV[mode]}" failed: ${err}`, 'ip/exists')] : [];
}

function nextName(net: HostNet, base: string): string {
  for (let i = 1; ; i++) if (!findLink(net, `${base}${i}`)) return `${base}${i}`;
}

/** tnl_print_gre_flags: `key K` when both directions share it, else ikey/okey */
function greKeys(p: TunnelParams): string {
  if (p.ikey !== null && p.okey !== null && p.ikey === p.okey) return ` key ${p.ikey}`;
  let s = '';
  if (p.ikey !== null) s += ` ikey ${p.ikey}`;
  if (p.okey !== null) s += ` okey ${p.okey}`;
  return s;
}

/**
 * `ip tunnel show [NAME]` (iptunnel.c print_tunnel): one line per GRE/IPIP
 * tunnel, e.g. `tun0: gre/ip remote 203.0.113.5 local 198.51.100.2 ttl inherit`.
 * Modelled from iproute2's source: this machine's kernel has no GRE or IPIP
 * to record it from.
 */
export function formatTunnelShow(net: HostNet, name: string | null): string {
  const out: string[] = [];
  for (const l of net.links) {
    const p = l.tunnel;
    if (!p || p.mode === 'vxlan' || (name !== null && l.name !== name)) continue;
    let s = `${l.name}: ${p.mode === 'gre' ? 'gre' : 'ip'}/ip remote ${p.remote ? formatIpv4(p.remote) : 'any'} local ${p.local ? formatIpv4(p.local) : 'any'}`;
    if (p.link) s += ` dev ${p.link}`;
    s += p.ttl ? ` ttl ${p.ttl}` : ' ttl inherit';
    if (p.tos) s += p.tos & 1 ? ' tos inherit' : ` tos 0x${p.tos.toString(16)}`;
    if (!p.pmtudisc) s += ' nopmtudisc';
    if (p.mode === 'gre') s += greKeys(p);
    out.push(s);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/**
 * The line the CLI prints (stderr) when a case has GRE or IPIP tunnels:
 * they are modelled from kernel source, not checked against a kernel.
 *
 * @example modelledTunnelsLine([{ name: 'sitea', net }]) // 'GRE/IPIP tunnels (sitea:tun0 gre) are modelled from kernel source …'
 */
export function modelledTunnelsLine(hosts: readonly { name: string; net: HostNet }[]): string | null {
  const found = hosts.flatMap((h) => h.net.links.filter((l) => l.tunnel && l.tunnel.mode !== 'vxlan').map((l) => `${h.name}:${l.name} ${l.tunnel!.mode}`));
  if (!found.length) return null;
  return `GRE/IPIP tunnels (${found.join(', ')}) are modelled from kernel source (net/ipv4/ip_gre.c, ipip.c, ip_tunnel.c): this machine's kernel has neither to check them against`;
}

/**
 * The `ip link add` that makes this tunnel device again on a fresh host
 * (edit/canonical.ts writes a host's configuration back as commands).
 *
 * @example tunnelCreateCommand('tun0', null, params) // 'ip link add tun0 type gre remote 203.0.113.5 local 198.51.100.2'
 */
export function tunnelCreateCommand(name: string, mac: string | null, p: TunnelParams): string {
  const w = ['ip', 'link', 'add', name];
  if (mac !== null) w.push('address', mac);
  w.push('type', p.mode);
  if (p.mode === 'vxlan') w.push('id', String(p.vni));
  if (p.remote) w.push('remote', formatIpv4(p.remote));
  if (p.local) w.push('local', formatIpv4(p.local));
  if (p.mode === 'vxlan') {
    w.push('dstport', String(p.dstport));
    if (p.srcport) w.push('srcport', String(p.srcport[0]), String(p.srcport[1]));
    if (p.ttlInherit) w.push('ttl', 'inherit');
    if (p.df !== 'unset') w.push('df', p.df);
    if (!p.learning) w.push('nolearning');
  }
  if (p.ttl) w.push('ttl', String(p.ttl));
  if (p.tos) w.push('tos', p.tos & 1 ? 'inherit' : `0x${p.tos.toString(16)}`);
  if (p.mode === 'gre') {
    if (p.ikey !== null && p.ikey === p.okey) w.push('key', String(p.ikey));
    else {
      if (p.ikey !== null) w.push('ikey', String(p.ikey));
      if (p.okey !== null) w.push('okey', String(p.okey));
    }
  }
  if (p.mode !== 'vxlan' && !p.pmtudisc) w.push('nopmtudisc');
  if (p.link) w.push('dev', p.link);
  return w.join(' ');
}
