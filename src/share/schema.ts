// pattern: Functional Core
// What a share link may carry: an oracle case file (shared/oracle/FORMAT.md
// §1) plus the selected packet, checked field by field before the app sees
// it. Everything a link holds came from a stranger, so the shapes are exact
// (no extra keys), every list and string is bounded, every number is a
// finite integer in the range the harness accepts, setup commands are only
// the kinds the harness runs (ip, iptables, sysctl) plus ipvsadm, and the case must
// also satisfy the engine's own reader (host names it refers to exist,
// interfaces used once: case-shape.ts, in the words of the engine's reader,
// which the page does not load). Nothing here runs or interprets a command.

import { z } from 'zod';
import type { Case } from '../engine/scenario/case';
import { caseReferenceProblem } from './case-shape';

// zod compiles object parsers with new Function unless told not to; the page's
// Content-Security-Policy has no 'unsafe-eval' (vite.config.ts), so its probe
// would be a reported violation. Set before any schema below is built.
z.config({ jitless: true });

export const LIMITS = {
  hosts: 16,
  /** setup commands per host (an iptables-restore text counts as one) */
  commandsPerHost: 400,
  commandChars: 1_000,
  restoreChars: 1_000_000,
  links: 64,
  switches: 16,
  switchPorts: 32,
  listeners: 64,
  steps: 100,
  nameChars: 100,
  descriptionChars: 4_000,
  noteChars: 500,
  /** step payloads: up to what one recv() of the oracle's listener takes (engine: sim/tcp-stream.ts) */
  dataChars: 65_535,
  rtTables: 32,
} as const;

const HOST_RE = /^[a-z][a-z0-9_]{0,14}$/;
const IFNAME = '[A-Za-z][A-Za-z0-9_.-]{0,14}';
const ENDPOINT_RE = new RegExp(`^[a-z][a-z0-9_]{0,14}:${IFNAME}$`);
const IPV4 = '(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`^${IPV4}$`);
const ADDR_PORT_RE = new RegExp(`^${IPV4}:(?:[1-9]\\d{0,4})$`);
// C0 controls other than tab and newline, DEL, C1 controls
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const text = (max: number) =>
  z
    .string()
    .max(max, `longer than ${max} characters`)
    .refine((s) => !CONTROL_RE.test(s), 'contains control characters');
const line = (max: number) => text(max).refine((s) => !s.includes('\n'), 'must be one line');
// Step data are packet payload bytes (latin1), not text: a TFTP request starts with
// NUL bytes, an FTP command ends with CRLF (oracle cases p70-p74).
const payload = (max: number) => z.string().max(max, `longer than ${max} characters`);
const int = (min: number, max: number) => z.int(`expected an integer ${min}..${max}`).min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`);
const port = int(1, 65535);
const u32 = int(0, 0xffffffff);

// The harness runs exactly these (FORMAT.md §1.1), plus `ip tunnel` for GRE/IPIP (modelled from
// kernel source, so such cases run in PacketWalk only); anything else in a link is refused.
const IP_OBJECT_RE = /^ip (?:-4 )?(?:l|li|lin|link|a|ad|add|addr|addre|addres|address|r|ro|rou|rout|route|ru|rul|rule|n|ne|nei|neig|neigh|t|tu|tun|tunn|tunne|tunnel|tunl)(?: |$)/;
const SYSCTL_RE = /^sysctl -w (?:net\.(?:ipv4|netfilter)\.[a-z0-9_.]+|net\.bridge\.bridge-nf-call-(?:iptables|arptables))=[0-9]{1,10}$/;
/** a bridge's VLAN list (the engine's bridge vlan add|del, VLAN filtering modelled from kernel source) */
const BRIDGE_VLAN_RE = /^bridge vlan (?:add|del) dev [A-Za-z0-9_.:-]{1,15} vid [0-9]{1,4}(?:-[0-9]{1,4})?(?: (?:pvid|untagged|self|master))*$/;

const command = line(LIMITS.commandChars).superRefine((s, ctx) => {
  if (s.startsWith('iptables ')) return;
  // IPVS scenarios: the engine's ipvsadm (the oracle kernel has no IPVS, so these cases run in PacketWalk only)
  if (s.startsWith('ipvsadm ')) return;
  if (s.startsWith('ip ')) {
    if (!IP_OBJECT_RE.test(s)) ctx.addIssue({ code: 'custom', message: 'ip commands may only use link, addr, route, rule, neigh or tunnel' });
    else if (/(?:^|\s)netns(?:\s|$)/.test(s)) ctx.addIssue({ code: 'custom', message: 'ip commands may not use netns' });
    return;
  }
  if (s.startsWith('sysctl ')) {
    if (!SYSCTL_RE.test(s)) ctx.addIssue({ code: 'custom', message: 'only "sysctl -w net.ipv4.KEY=NUMBER", "sysctl -w net.netfilter.KEY=NUMBER" or "sysctl -w net.bridge.bridge-nf-call-iptables=NUMBER"' });
    return;
  }
  if (s.startsWith('bridge ')) {
    if (!BRIDGE_VLAN_RE.test(s)) ctx.addIssue({ code: 'custom', message: 'bridge commands may only be "bridge vlan add|del dev IF vid N [pvid] [untagged] [self] [master]"' });
    return;
  }
  if (s.startsWith('tc ')) {
    // traffic control (engine/tc): qdiscs, classes and filters, words of names, numbers and handles only
    if (!/^tc (?:qdisc|class|filter) [\w .:/-]{1,500}$/.test(s)) ctx.addIssue({ code: 'custom', message: 'tc commands may only be tc qdisc|class|filter with names, numbers and handles' });
    return;
  }
  ctx.addIssue({ code: 'custom', message: 'setup commands must start with ip, iptables, ipvsadm, sysctl, bridge vlan or tc' });
});

const restore = z.strictObject({
  'iptables-restore': text(LIMITS.restoreChars),
  noflush: z.boolean().optional(),
});

const host = z.strictObject({
  name: z.string().regex(HOST_RE, 'host names are [a-z][a-z0-9_]{0,14}'),
  setup: z.array(z.union([command, restore])).max(LIMITS.commandsPerHost, `more than ${LIMITS.commandsPerHost} setup commands`),
  in: z.string().regex(HOST_RE, 'unknown host').optional(),
});

const endpoint = z.string().regex(ENDPOINT_RE, 'expected "host:ifname"');

const listener = z.strictObject({
  host: z.string().regex(HOST_RE, 'unknown host'),
  proto: z.enum(['tcp', 'udp']),
  port,
  addr: z.string().regex(IPV4_RE, 'expected an IPv4 address').optional(),
  echo: z.boolean().optional(),
});

const stepCommon = {
  from: z.string().regex(HOST_RE, 'unknown host'),
  note: line(LIMITS.noteChars).optional(),
  timeout: z.number().min(0, 'must be ≥ 0').max(10, 'must be ≤ 10 seconds').optional(),
  src: z.string().regex(IPV4_RE, 'expected an IPv4 address').optional(),
  mark: u32.optional(),
  ttl: int(1, 255).optional(),
};

const pingStep = z.strictObject({
  ...stepCommon,
  ping: z.string().regex(IPV4_RE, 'expected an IPv4 address'),
  id: int(0, 65535).optional(),
  seq: int(0, 65535).optional(),
  payload: payload(LIMITS.dataChars).optional(),
});

const tcpStep = z.strictObject({
  ...stepCommon,
  tcp: z.string().regex(ADDR_PORT_RE, 'expected "addr:port"'),
  sport: port.optional(),
  data: payload(LIMITS.dataChars).optional(),
  close: z.enum(['rst', 'fin']).optional(),
});

const udpStep = z.strictObject({
  ...stepCommon,
  udp: z.string().regex(ADDR_PORT_RE, 'expected "addr:port"'),
  sport: port.optional(),
  data: payload(LIMITS.dataChars).optional(),
});

const craftedPacket = z.strictObject({
  proto: z.enum(['tcp', 'udp', 'icmp']),
  dst: z.string().regex(IPV4_RE, 'expected an IPv4 address'),
  src: z.string().regex(IPV4_RE, 'expected an IPv4 address').optional(),
  ttl: int(1, 255).optional(),
  tos: int(0, 255).optional(),
  df: z.boolean().optional(),
  ipid: int(0, 65535).optional(),
  sport: port.optional(),
  dport: port.optional(),
  flags: z.string().regex(/^[FSRPAUEC]{0,8}$/, 'flags are letters of F S R P A U E C').optional(),
  seq: u32.optional(),
  ack: u32.optional(),
  window: int(0, 65535).optional(),
  data: payload(LIMITS.dataChars).optional(),
  type: int(0, 255).optional(),
  code: int(0, 255).optional(),
  id: int(0, 65535).optional(),
});

const packetStep = z.strictObject({ ...stepCommon, packet: craftedPacket });

const STEP_KINDS = { ping: pingStep, tcp: tcpStep, udp: udpStep, packet: packetStep } as const;

/** A step is one of four exact shapes; which one is told by its ping/tcp/udp/packet key. */
const step = z.unknown().transform((v, ctx) => {
  const kinds = v !== null && typeof v === 'object' && !Array.isArray(v) ? (Object.keys(STEP_KINDS) as (keyof typeof STEP_KINDS)[]).filter((k) => Object.hasOwn(v, k)) : [];
  if (kinds.length !== 1) {
    ctx.addIssue({ code: 'custom', message: 'a step needs exactly one of ping, tcp, udp, packet' });
    return z.NEVER;
  }
  const r = STEP_KINDS[kinds[0]!].safeParse(v);
  if (!r.success) {
    for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path });
    return z.NEVER;
  }
  return r.data;
});

export const caseSchema = z.strictObject({
  name: line(LIMITS.nameChars).min(1, 'a case needs a name'),
  description: text(LIMITS.descriptionChars).optional(),
  options: z.strictObject({ conntrack: z.enum(['auto', 'on']).optional() }).optional(),
  rt_tables: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,31}$/, 'table names are [A-Za-z_][A-Za-z0-9_-]{0,31}'), int(1, 252))
    .refine((o) => Object.keys(o).length <= LIMITS.rtTables, `more than ${LIMITS.rtTables} named tables`)
    .optional(),
  hosts: z.array(host).min(1, 'a case needs at least one host').max(LIMITS.hosts, `more than ${LIMITS.hosts} hosts`),
  links: z.array(z.tuple([endpoint, endpoint])).max(LIMITS.links, `more than ${LIMITS.links} links`).optional(),
  switches: z
    .array(z.strictObject({ name: z.string().regex(HOST_RE, 'switch names are [a-z][a-z0-9_]{0,14}'), ports: z.array(endpoint).min(2).max(LIMITS.switchPorts) }))
    .max(LIMITS.switches, `more than ${LIMITS.switches} switches`)
    .optional(),
  listeners: z.array(listener).max(LIMITS.listeners, `more than ${LIMITS.listeners} listeners`).optional(),
  steps: z.array(step).max(LIMITS.steps, `more than ${LIMITS.steps} steps`).optional(),
});

// What the schema lets through is a Case: this fails to compile when the two drift apart.
const isCase: (c: z.infer<typeof caseSchema>) => Case = (c) => c;

export const payloadSchemaV1 = z.strictObject({
  /** the case */
  c: caseSchema,
  /** the selected packet (WalkLog packet id) */
  p: int(1, 1_000_000).optional(),
});

/** A gallery entry's id (src/gallery): the lesson a link opens beside its walk. */
export const LESSON_ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Format 2: format 1's payload and the lesson (a gallery entry's id) shown beside the walk. */
export const payloadSchemaV2 = payloadSchemaV1.extend({
  /** the gallery entry whose explanation and notes are shown; an id this app's gallery lacks shows none */
  l: z.string().regex(LESSON_ID_RE, 'a lesson is a gallery entry id: [a-z0-9][a-z0-9-]{0,63}').optional(),
});

/** A link's payload once checked: the case, the packet it selects, the lesson beside it. */
export interface SharePayload {
  c: Case;
  p?: number;
  l?: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; message: string };

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '$';
}

/**
 * Check a decoded payload: the exact shape first, then what a shape cannot
 * say (a link names a host that does not exist, an interface used twice),
 * as the engine's reader would say it. Never throws.
 */
export function validatePayloadV1(json: unknown): ValidationResult<SharePayload> {
  return validatePayload(payloadSchemaV1, json);
}

/** Format 2's payload: format 1's and the lesson. */
export function validatePayloadV2(json: unknown): ValidationResult<SharePayload> {
  return validatePayload(payloadSchemaV2, json);
}

function validatePayload(schema: typeof payloadSchemaV1 | typeof payloadSchemaV2, json: unknown): ValidationResult<SharePayload> {
  const r = schema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0]!;
    // paths inside the payload start at the case ("c"); the user knows the case's own paths
    const path = first.path[0] === 'c' ? first.path.slice(1) : first.path;
    return { ok: false, message: `${issuePath(path)}: ${first.message}` };
  }
  const c = isCase(r.data.c);
  const why = caseReferenceProblem(c);
  if (why) return { ok: false, message: why };
  const l = 'l' in r.data && typeof r.data.l === 'string' ? r.data.l : undefined;
  return { ok: true, value: { c, ...(r.data.p !== undefined ? { p: r.data.p } : {}), ...(l !== undefined ? { l } : {}) } };
}
