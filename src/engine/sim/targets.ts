// pattern: Functional Core
// What target extensions do to a packet in a host. Option shapes come from
// the iptables parser (src/engine/iptables/targets); the effects follow the
// kernel's xt_* target functions, cited per target.

import type { Packet } from '../net/packet';
import type { MatchContext, Rule, TargetInstance } from '../iptables/types';
import type { HookName, TableName } from '../netfilter/hooks';
import type { TargetResult } from '../iptables/walk';
import type { Host, PacketMeta } from './host';
import type { PacketRecord } from './record';
import type { CtOptions, RejectOptions } from '../iptables/targets';
import { conntrackHelper } from '../conntrack/helpers';
import { connmark, markOptions, tcpmss, tosAfter, ttlOptions } from './mangle-targets';
import { natTarget } from './nat-targets';
import { logLine, seqSpace } from './log-lines';
import { primaryAddress } from './route-adapter';
import type { EcnTargetOptions, HmarkOptions, TcpoptstripOptions, TeeOptions, TproxyOptions } from '../iptables/targets';
import { formatIpv4 } from '../net/addr';
import { ecnTarget, hmarkValue, tcpoptstrip } from './mangle-targets';
import { teeDuplicate } from './tee';

export interface TargetEnv {
  hook: HookName;
  table: TableName;
  inIf: string | null;
  outIf: string | null;
  meta: PacketMeta;
  rec: PacketRecord;
  ctx: MatchContext;
}

const CONTINUE: TargetResult = { verdict: 'continue' };
const ACCEPT: TargetResult = { verdict: 'accept' };
const DROP: TargetResult = { verdict: 'drop' };
const QUEUE: TargetResult = { verdict: 'queue' };

/** REJECT's --reject-with → ICMP type/code (net/ipv4/netfilter/ipt_REJECT.c). */
const REJECT_ICMP: Record<string, [number, number]> = {
  'icmp-net-unreachable': [3, 0],
  'icmp-host-unreachable': [3, 1],
  'icmp-proto-unreachable': [3, 2],
  'icmp-port-unreachable': [3, 3],
  'icmp-net-prohibited': [3, 9],
  'icmp-host-prohibited': [3, 10],
  'icmp-admin-prohibited': [3, 13],
};

/**
 * tproxy_tg4: the packet's own connection, else a listener on --on-ip (or
 * the input device's first address, nf_tproxy_laddr4) and --on-port (or its
 * destination port). Only a transparent socket takes it: the mark is set and
 * the hook accepts; otherwise the packet is dropped (NF_DROP), which no TRACE
 * line shows beyond the TPROXY rule (case q87).
 */
function tproxy(host: Host, o: TproxyOptions, p: Packet, env: TargetEnv): TargetResult {
  const laddr = o.addr !== 0 ? o.addr : (primaryAddress(host.net, env.inIf) ?? p.dst);
  const lport = o.port ? o.port : (p.dport ?? 0);
  const sk = host.sockets.lookupForTproxy(p, laddr, lport);
  if (sk?.transparent) {
    p.mark = ((p.mark & ~o.markMask) ^ o.markValue) >>> 0;
    return ACCEPT;
  }
  env.rec.dropCause = 'tproxy-no-socket';
  env.rec.note = `dropped by TPROXY: no transparent socket (IP_TRANSPARENT) ${sk ? 'holds the connection or listens' : 'listens'} on ${formatIpv4(laddr)}:${lport}`;
  return DROP;
}

function ctNotrack(o: unknown): boolean {
  return (o as CtOptions).notrack === true;
}

function ctHelperName(o: unknown): string | null {
  return (o as CtOptions).helper;
}

/** ftp and tftp are; the kernel's other helpers attach but do nothing here. */
function helperModelled(name: string): boolean {
  return conntrackHelper(name) !== null;
}

function rejectWith(o: unknown): string {
  return (o as RejectOptions).with ?? 'icmp-port-unreachable';
}

export class Targets {
  run(host: Host, t: TargetInstance, rule: Rule, p: Packet, env: TargetEnv): TargetResult {
    const o = t.options as Record<string, unknown>;
    switch (t.name) {
      case 'LOG': {
        host.world.logLines.push(logLine(host, t, p, env));
        host.world.logSeqSpaces.push(seqSpace(p));
        return CONTINUE;
      }
      case 'TCPMSS':
        tcpmss(host, o, p, env);
        return CONTINUE;
      case 'NFLOG':
      case 'TRACE':
      case 'CLASSIFY':
      case 'AUDIT':
      case 'CHECKSUM':
        return CONTINUE;
      case 'MARK': {
        // xt_MARK: mark = (mark & ~mask) ^ value
        const { value, mask } = markOptions(o);
        p.mark = ((p.mark & ~mask) ^ value) >>> 0;
        return CONTINUE;
      }
      case 'CONNMARK': {
        const ref = env.meta.ct;
        if (ref) connmark(ref, p, o);
        return CONTINUE;
      }
      case 'TTL': {
        const { mode, value } = ttlOptions(o);
        if (mode === 'set') p.ttl = value;
        else if (mode === 'inc') p.ttl = Math.min(255, p.ttl + value);
        else p.ttl = Math.max(0, p.ttl - value);
        return CONTINUE;
      }
      case 'TOS':
      case 'DSCP': {
        p.tos = tosAfter(t.name, o, p.tos);
        return CONTINUE;
      }
      case 'NFQUEUE':
        // No program of a scenario binds a queue: nf_queue finds no listener (-ESRCH), so the packet
        // is freed, or with --queue-bypass goes on as if accepted (case p91). Which queue of a
        // --queue-balance range it picks does not matter: none has a reader.
        return o.bypass === true ? ACCEPT : QUEUE;
      case 'HMARK': {
        const mark = hmarkValue(o as unknown as HmarkOptions, p, env.ctx.ct);
        if (mark !== null) p.mark = mark;
        return CONTINUE;
      }
      case 'ECN':
        ecnTarget(o as unknown as EcnTargetOptions, p);
        return CONTINUE;
      case 'TCPOPTSTRIP':
        tcpoptstrip(o as unknown as TcpoptstripOptions, p);
        return CONTINUE;
      case 'TEE':
        teeDuplicate(host, o as unknown as TeeOptions, p, env);
        return CONTINUE;
      case 'TPROXY':
        return tproxy(host, o as unknown as TproxyOptions, p, env);
      case 'NOTRACK':
      case 'CT': {
        // xt_ct_target / notrack_tg leave an skb that already has a conntrack alone: one looped
        // over lo or answering a connection, or one an earlier CT rule gave a template or marked
        // untracked; the first of them wins (difftest seed 2 case 574, fixture q105)
        const m = env.meta;
        if (m.ct || m.untracked || m.ctTemplate) return CONTINUE;
        if (t.name === 'NOTRACK' || ctNotrack(o)) {
          m.untracked = true;
          return CONTINUE;
        }
        m.ctTemplate = true;
        const helper = ctHelperName(o);
        if (helper) {
          env.meta.ctHelper = helper;
          if (!helperModelled(helper)) env.rec.note ??= `not modelled: the ${helper} conntrack helper is attached (conntrack -L shows it) but reads no packet and expects no connection; only ftp and tftp are modelled`;
        }
        return CONTINUE;
      }
      case 'REJECT': {
        const w = rejectWith(o);
        env.meta.rejectWith = w;
        if (w === 'tcp-reset') {
          host.sendReset(p, env.rec, true);
        } else {
          const [type, code] = REJECT_ICMP[w] ?? [3, 3];
          // in PREROUTING the packet has no route yet: nf_reject_fill_skb_dst gives it an output route
          host.sendIcmpError(p, env.rec, type, code, env.hook === 'PREROUTING' ? null : env.inIf);
        }
        return DROP;
      }
      case 'DNAT':
      case 'SNAT':
      case 'MASQUERADE':
      case 'REDIRECT':
      case 'NETMAP': {
        const ref = env.meta.ct;
        if (!ref) return ACCEPT;
        if (natTarget(host, ref, t.name, o, p, env)) return ACCEPT;
        env.rec.dropCause ??= 'nat-no-address';
        env.rec.note ??= `dropped by ${t.name}: no address to NAT to on ${t.name === 'MASQUERADE' ? `its output device ${env.outIf ?? ''} nor any other device` : `its input device ${env.inIf ?? ''}`}`;
        return DROP;
      }
      default:
        void rule;
        return CONTINUE;
    }
  }
}
