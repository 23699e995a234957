// pattern: Functional Core
// The check a scenario passes where it enters the page from outside — a
// file, a save in this browser (autosave, a saved version), a share link —
// before the page holds it as the engine's `Case` type. It is the page's own
// small module rather than the engine's reader (engine/scenario/case-file.ts)
// because the page runs no engine code: the engine's reader runs in the
// worker when the case is opened and judges the commands themselves.
//
// checkCase looks at the shape only: every field the Case type names has
// that type, so the page can read the case without guessing. What the shape
// cannot say — a link to a host that does not exist, an interface used
// twice — caseReferenceProblem says, in the engine reader's own words; a
// share link is refused on it (schema.ts), a file or a save is left to the
// worker, which refuses it the same way when it is opened.
//
// Problems are one line: the field's path, then what was expected there.
// Unknown keys are left alone (a link's schema is the one that refuses them).

import type { Case, CaseEndpoint } from '../engine/scenario/case';

export type CaseCheck = { ok: true; value: Case } | { ok: false; message: string };

/** A JSON object not yet checked: truly open until this module has looked at each value it reads. */
type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const expected = (path: string, what: string): string => `${path}: expected ${what}`;

/** The first problem of `fields` (each an optional key of `o` with its test), or null. */
function optional(o: JsonObject, path: string, fields: Readonly<Record<string, readonly [test: (v: unknown) => boolean, what: string]>>): string | null {
  for (const [key, [test, what]] of Object.entries(fields)) {
    if (o[key] !== undefined && !test(o[key])) return expected(`${path}.${key}`, what);
  }
  return null;
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

const STEP_COMMON = {
  note: [isText, 'text'],
  timeout: [isNumber, 'a number of seconds'],
  src: [isText, 'a local address'],
  mark: [isNumber, 'a number'],
  ttl: [isNumber, 'a number'],
} as const;

const STEP_KINDS = ['ping', 'tcp', 'udp', 'packet'] as const;

const PACKET_FIELDS = {
  src: [isText, 'an address'],
  ttl: [isNumber, 'a number'],
  tos: [isNumber, 'a number'],
  df: [isBool, 'true or false'],
  ipid: [isNumber, 'a number'],
  sport: [isNumber, 'a port number'],
  dport: [isNumber, 'a port number'],
  flags: [isText, 'TCP flag letters'],
  seq: [isNumber, 'a number'],
  ack: [isNumber, 'a number'],
  window: [isNumber, 'a number'],
  data: [isText, 'text'],
  type: [isNumber, 'an ICMP type number'],
  code: [isNumber, 'an ICMP code number'],
  id: [isNumber, 'a number'],
} as const;

function stepProblem(s: unknown, path: string): string | null {
  if (!isObject(s)) return expected(path, 'a traffic step (an object)');
  if (typeof s.from !== 'string') return expected(`${path}.from`, 'the name of the host that sends');
  const kinds = STEP_KINDS.filter((k) => s[k] !== undefined);
  if (kinds.length !== 1) return expected(path, 'exactly one of ping, tcp, udp, packet');
  const common = optional(s, path, STEP_COMMON);
  if (common) return common;
  switch (kinds[0]!) {
    case 'ping':
      if (!isText(s.ping)) return expected(`${path}.ping`, 'an address');
      return optional(s, path, { id: [isNumber, 'a number'], seq: [isNumber, 'a number'], payload: [isText, 'text'] });
    case 'tcp':
      if (!isText(s.tcp)) return expected(`${path}.tcp`, '"addr:port"');
      return optional(s, path, { sport: [isNumber, 'a port number'], data: [isText, 'text'], close: [(v) => v === 'rst' || v === 'fin', 'rst or fin'] });
    case 'udp':
      if (!isText(s.udp)) return expected(`${path}.udp`, '"addr:port"');
      return optional(s, path, { sport: [isNumber, 'a port number'], data: [isText, 'text'] });
    case 'packet': {
      const p = s.packet;
      if (!isObject(p)) return expected(`${path}.packet`, 'a packet (an object)');
      if (p.proto !== 'tcp' && p.proto !== 'udp' && p.proto !== 'icmp') return expected(`${path}.packet.proto`, 'tcp, udp or icmp');
      if (!isText(p.dst)) return expected(`${path}.packet.dst`, 'an address');
      return optional(p, `${path}.packet`, PACKET_FIELDS);
    }
  }
}

function hostProblem(h: unknown, path: string): string | null {
  if (!isObject(h)) return expected(path, 'a host (an object)');
  if (typeof h.name !== 'string') return expected(`${path}.name`, 'the host’s name');
  if (h.in !== undefined && typeof h.in !== 'string') return expected(`${path}.in`, 'the name of the host the namespace is in');
  if (h.setup === undefined) return null;
  if (!Array.isArray(h.setup)) return expected(`${path}.setup`, 'a list of commands');
  for (const [j, c] of h.setup.entries()) {
    const restore = isObject(c) && typeof c['iptables-restore'] === 'string' && (c.noflush === undefined || typeof c.noflush === 'boolean');
    if (typeof c !== 'string' && !restore) return expected(`${path}.setup[${j}]`, 'a command (text) or {"iptables-restore": TEXT}');
  }
  return null;
}

const isEndpoint = (v: unknown): v is CaseEndpoint => typeof v === 'string';

function listProblem(c: JsonObject, key: string, item: (v: unknown, path: string) => string | null): string | null {
  const list = c[key];
  if (list === undefined) return null;
  if (!Array.isArray(list)) return expected(key, 'a list');
  for (const [i, v] of list.entries()) {
    const p = item(v, `${key}[${i}]`);
    if (p) return p;
  }
  return null;
}

function shapeProblem(c: unknown): string | null {
  if (!isObject(c)) return expected('$', 'a scenario: an object with its name and hosts');
  if (typeof c.name !== 'string') return expected('name', 'the scenario’s name (text)');
  if (c.description !== undefined && typeof c.description !== 'string') return expected('description', 'text');
  if (c.options !== undefined) {
    if (!isObject(c.options)) return expected('options', 'an object');
    if (c.options.conntrack !== undefined && c.options.conntrack !== 'auto' && c.options.conntrack !== 'on') return expected('options.conntrack', 'auto or on');
  }
  if (c.rt_tables !== undefined) {
    if (!isObject(c.rt_tables)) return expected('rt_tables', 'a map of table names to numbers');
    for (const [name, id] of Object.entries(c.rt_tables)) if (!isNumber(id)) return expected(`rt_tables.${name}`, 'a table number');
  }
  if (!Array.isArray(c.hosts) || c.hosts.length === 0) return expected('hosts', 'a list of at least one host');
  return (
    listProblem(c, 'hosts', hostProblem) ??
    listProblem(c, 'links', (l, path) => (Array.isArray(l) && l.length === 2 && l.every(isEndpoint) ? null : expected(path, 'a pair of "host:ifname"'))) ??
    listProblem(c, 'switches', (s, path) => {
      if (!isObject(s) || typeof s.name !== 'string') return expected(`${path}.name`, 'the switch’s name');
      return Array.isArray(s.ports) && s.ports.every(isEndpoint) ? null : expected(`${path}.ports`, 'a list of "host:ifname"');
    }) ??
    listProblem(c, 'listeners', (l, path) => {
      if (!isObject(l)) return expected(path, 'a listener (an object)');
      if (typeof l.host !== 'string') return expected(`${path}.host`, 'a host name');
      if (l.proto !== 'tcp' && l.proto !== 'udp') return expected(`${path}.proto`, 'tcp or udp');
      if (!isNumber(l.port)) return expected(`${path}.port`, 'a port number');
      return optional(l, path, { addr: [isText, 'an address'], echo: [isBool, 'true or false'] });
    }) ??
    listProblem(c, 'steps', stepProblem)
  );
}

/**
 * The scenario in `json` as a Case, or the first thing wrong with its shape
 * (path and what was expected). The value is `json` itself, not a copy: the
 * page tells scenarios apart by identity.
 *
 * @example checkCase({ name: 'x', hosts: [{ name: 'a', setup: 'no' }] }) // { ok: false, message: 'hosts[0].setup: expected a list of commands' }
 */
export function checkCase(json: unknown): CaseCheck {
  const p = shapeProblem(json);
  return p === null ? { ok: true, value: json as Case } : { ok: false, message: p };
}

const IFACE_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

/**
 * What a well-shaped case names that does not exist or is used twice, in the
 * words of the engine's reader (case-file.ts readCase), or null: hosts
 * named twice, links, switch ports, listeners and steps naming unknown
 * hosts, an interface used twice or named lo, a switch named like a host,
 * a tcp or udp packet without its destination port.
 */
export function caseReferenceProblem(c: Case): string | null {
  const hosts = new Set<string>();
  for (const [i, h] of c.hosts.entries()) {
    if (hosts.has(h.name)) return `hosts[${i}].name: duplicate host ${h.name}`;
    hosts.add(h.name);
  }
  for (const [i, h] of c.hosts.entries()) {
    if (h.in === undefined) continue;
    const parent = c.hosts.find((p) => p.name === h.in);
    if (!parent || parent === h) return `hosts[${i}].in: unknown host ${JSON.stringify(h.in)}`;
    if (parent.in !== undefined) return `hosts[${i}].in: ${h.in} is itself a namespace of ${parent.in}`;
  }
  const used = new Set<string>();
  const endpoint = (e: string, path: string): string | null => {
    const parts = e.split(':');
    if (parts.length !== 2) return `${path}: endpoint must be "host:ifname", got ${JSON.stringify(e)}`;
    const [host, iface] = parts as [string, string];
    if (!hosts.has(host)) return `${path}: unknown host ${JSON.stringify(host)}`;
    if (!IFACE_RE.test(iface) || iface === 'lo') return `${path}: bad interface name ${JSON.stringify(iface)}`;
    if (used.has(e)) return `${path}: interface ${e} used twice`;
    used.add(e);
    return null;
  };
  for (const [i, [a, b]] of (c.links ?? []).entries()) {
    const why = endpoint(a, `links[${i}][0]`) ?? endpoint(b, `links[${i}][1]`);
    if (why) return why;
  }
  for (const [i, s] of (c.switches ?? []).entries()) {
    if (hosts.has(s.name)) return `switches[${i}].name: switch needs a unique name`;
    for (const [j, p] of s.ports.entries()) {
      const why = endpoint(p, `switches[${i}].ports[${j}]`);
      if (why) return why;
    }
  }
  for (const [i, l] of (c.listeners ?? []).entries()) if (!hosts.has(l.host)) return `listeners[${i}]: bad listener`;
  for (const [i, s] of (c.steps ?? []).entries()) {
    if (!hosts.has(s.from)) return `steps[${i}]: needs "from": HOST`;
    if ('packet' in s && s.packet.proto !== 'icmp' && s.packet.dport === undefined) return `steps[${i}].packet.dport: packet needs dport`;
  }
  return null;
}
