// pattern: Functional Core
// Edits that are not commands on one machine but change the lab itself:
// hosts, the links between them, listeners, rt_tables names. Each returns a
// new case object (FORMAT.md §1) or the reason it cannot, in the case
// format's own terms; the engine then checks the result as it checks any
// scenario.

import type { Case, CaseLink, CaseListener } from '../../engine/scenario/case';
import { tEn, type T } from '../i18n/t';

export type OpResult = { ok: true; scenario: Case } | { ok: false; message: string };

const HOST_NAME = /^[a-z][a-z0-9_]{0,14}$/;
const IFACE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

export function hostNames(c: Case): string[] {
  return c.hosts.map((h) => h.name);
}

export function links(c: Case): CaseLink[] {
  return c.links ?? [];
}

export function listeners(c: Case): CaseListener[] {
  return c.listeners ?? [];
}

export function rtTables(c: Case): Record<string, number> {
  return c.rt_tables ?? {};
}

/** A host's setup commands (strings and iptables-restore blocks). */
export function hostSetup(c: Case, host: string): NonNullable<Case['hosts'][number]['setup']> {
  return c.hosts.find((h) => h.name === host)?.setup ?? [];
}

/** Interface names a host gets from the scenario's links and switches. */
export function linkIfaces(c: Case, host: string): string[] {
  const ends = [...links(c).flat(), ...(c.switches ?? []).flatMap((s) => s.ports)];
  return ends.filter((e) => e.startsWith(`${host}:`)).map((e) => e.slice(host.length + 1));
}

function hostNameProblem(c: Case, name: string, t: T): string | null {
  if (!HOST_NAME.test(name)) return t('op.hostName', { name });
  if (hostNames(c).includes(name)) return t('op.hostExists', { name });
  return null;
}

export function addHost(c: Case, name: string, t: T = tEn): OpResult {
  const why = hostNameProblem(c, name, t);
  if (why) return { ok: false, message: why };
  return { ok: true, scenario: { ...c, hosts: [...c.hosts, { name, setup: [] }] } };
}

const renameEnd = (e: string, from: string, to: string) => (e.startsWith(`${from}:`) ? `${to}:${e.slice(from.length + 1)}` : e);

/** Rename everywhere the case names the host: hosts, links, switch ports, listeners, steps. */
export function renameHost(c: Case, from: string, to: string, t: T = tEn): OpResult {
  if (!hostNames(c).includes(from)) return { ok: false, message: t('op.noHost', { name: from }) };
  if (from === to) return { ok: true, scenario: c };
  const why = hostNameProblem(c, to, t);
  if (why) return { ok: false, message: why };
  const out: Case = {
    ...c,
    hosts: c.hosts.map((h) => (h.name === from ? { ...h, name: to } : h)),
  };
  if (c.links !== undefined) out.links = c.links.map(([a, b]) => [renameEnd(a, from, to), renameEnd(b, from, to)]);
  if (c.switches !== undefined) out.switches = c.switches.map((s) => ({ ...s, ports: s.ports.map((p) => renameEnd(p, from, to)) }));
  if (c.listeners !== undefined) out.listeners = c.listeners.map((l) => (l.host === from ? { ...l, host: to } : l));
  if (c.steps !== undefined) out.steps = c.steps.map((s) => (s.from === from ? { ...s, from: to } : s));
  return { ok: true, scenario: out };
}

/** Delete a host with its links, switch ports, listeners and the traffic it sends. */
export function deleteHost(c: Case, name: string, t: T = tEn): OpResult {
  if (!hostNames(c).includes(name)) return { ok: false, message: t('op.noHost', { name }) };
  if (hostNames(c).length === 1) return { ok: false, message: t('op.lastHost') };
  const mine = (e: string) => e.startsWith(`${name}:`);
  const out: Case = { ...c, hosts: c.hosts.filter((h) => h.name !== name) };
  if (c.links !== undefined) out.links = c.links.filter(([a, b]) => !mine(a) && !mine(b));
  if (c.switches !== undefined) out.switches = c.switches.map((s) => ({ ...s, ports: s.ports.filter((p) => !mine(p)) }));
  if (c.listeners !== undefined) out.listeners = c.listeners.filter((l) => l.host !== name);
  if (c.steps !== undefined) out.steps = c.steps.filter((s) => s.from !== name);
  return { ok: true, scenario: out };
}

export function addLink(c: Case, a: { host: string; iface: string }, b: { host: string; iface: string }, t: T = tEn): OpResult {
  const names = hostNames(c);
  for (const e of [a, b]) {
    if (!names.includes(e.host)) return { ok: false, message: t('op.noHost', { name: e.host }) };
    if (!IFACE_NAME.test(e.iface) || e.iface === 'lo') return { ok: false, message: t('op.ifaceName', { name: e.iface }) };
    if (linkIfaces(c, e.host).includes(e.iface)) return { ok: false, message: t('op.linked', { end: `${e.host}:${e.iface}` }) };
  }
  if (a.host === b.host && a.iface === b.iface) return { ok: false, message: t('op.sameIface') };
  return { ok: true, scenario: { ...c, links: [...links(c), [`${a.host}:${a.iface}`, `${b.host}:${b.iface}`]] } };
}

export function deleteLink(c: Case, index: number, t: T = tEn): OpResult {
  const ls = links(c);
  if (index < 0 || index >= ls.length) return { ok: false, message: t('op.noLink') };
  return { ok: true, scenario: { ...c, links: ls.filter((_, i) => i !== index) } };
}

export function addListener(c: Case, l: CaseListener, t: T = tEn): OpResult {
  if (!hostNames(c).includes(l.host)) return { ok: false, message: t('op.noHost', { name: l.host }) };
  if (!Number.isInteger(l.port) || l.port < 1 || l.port > 65535) return { ok: false, message: t('op.port') };
  if (listeners(c).some((x) => x.host === l.host && x.proto === l.proto && x.port === l.port && (x.addr ?? '0.0.0.0') === (l.addr ?? '0.0.0.0'))) return { ok: false, message: t('op.listening', { host: l.host, proto: l.proto, port: l.port }) };
  return { ok: true, scenario: { ...c, listeners: [...listeners(c), l] } };
}

export function deleteListener(c: Case, index: number, t: T = tEn): OpResult {
  const ls = listeners(c);
  if (index < 0 || index >= ls.length) return { ok: false, message: t('op.noListener') };
  return { ok: true, scenario: { ...c, listeners: ls.filter((_, i) => i !== index) } };
}

/** Name a routing table, like a line of /etc/iproute2/rt_tables (ids 1..252 as the case format allows). */
export function setRtTable(c: Case, name: string, id: number, t: T = tEn): OpResult {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) || ['main', 'local', 'default', 'unspec', 'all'].includes(name)) return { ok: false, message: t('op.tableName', { name }) };
  if (!Number.isInteger(id) || id < 1 || id > 252) return { ok: false, message: t('op.tableId') };
  const names = rtTables(c);
  const clash = Object.entries(names).find(([n, v]) => v === id && n !== name);
  if (clash) return { ok: false, message: t('op.tableClash', { id, name: clash[0] }) };
  return { ok: true, scenario: { ...c, rt_tables: { ...names, [name]: id } } };
}

export function deleteRtTable(c: Case, name: string, t: T = tEn): OpResult {
  if (!(name in rtTables(c))) return { ok: false, message: t('op.noTable', { name }) };
  const rest = Object.fromEntries(Object.entries(rtTables(c)).filter(([n]) => n !== name));
  const out: Case = { ...c, rt_tables: rest };
  if (!Object.keys(rest).length) delete out.rt_tables;
  return { ok: true, scenario: out };
}

/**
 * A configuration taken from history with the traffic being looked at now:
 * undo takes back an edit, not the packet the user just sent. Steps from
 * hosts the older configuration lacks are left out; if none is left, the
 * older configuration's own traffic stays.
 */
export function withTraffic(config: Case, current: Case): Case {
  const hosts = new Set(hostNames(config));
  const steps = (current.steps ?? []).filter((s) => hosts.has(s.from));
  if (!steps.length || steps === config.steps) return config;
  return { ...config, steps };
}
