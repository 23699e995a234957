// pattern: Functional Core
// `ip netns …` typed in a host's console. Making, deleting a namespace or
// moving a device into one changes the case's hosts and links, not one
// host's configuration: the command goes at the end of the host's setup in
// the lab's snapshot and the case is read again, so the console, the form and
// a case file all go through one expansion (scenario/netns.ts). `ip netns
// exec NS CMD` is CMD on the namespace's own host; `ip netns list` reads.

import type { Case } from '../scenario/case';
import type { Scenario } from '../scenario/types';
import { expandNetns, isNetnsCommand } from '../scenario/netns';
import type { Diagnostic } from '../text/diagnostics';
import type { QueryOutput } from './readonly';

export { isNetnsCommand };

/** `ip netns exec NS CMD`: the namespace, the command and where it starts in `text`; null when `text` is not that. */
export function netnsExec(text: string): { ns: string; nsFrom: number; command: string; at: number } | null {
  const m = /^(\s*ip\s+netns\s+e(?:xec?)?\s+)(\S+)(\s+)(\S.*)$/s.exec(text);
  if (!m) return null;
  return { ns: m[2]!, nsFrom: m[1]!.length, command: m[4]!.trimEnd(), at: m[1]!.length + m[2]!.length + m[3]!.length };
}

/** The namespaces inside `host`, in the order they were made. */
export function namespacesOf(s: Scenario, host: string): string[] {
  return s.hosts.filter((h) => h.in === host).map((h) => h.name);
}

/**
 * `ip netns` / `ip netns list` as iproute2 prints it: /run/netns read in
 * directory order, which on tmpfs is newest first, and `(id: N)` after a
 * namespace the host has a peer id for — one a veth end of the host reaches
 * (the kernel allocates it when it tells of the pair: peernet2id_alloc).
 * Recorded on this machine: `db (id: 0)\napp\n` after `ip netns add app`,
 * `ip netns add db` and a veth end moved into db.
 */
export function netnsList(s: Scenario, host: string, text: string): QueryOutput | null {
  const w = text.trim().split(/\s+/);
  if (w[0] !== 'ip' || w[1] !== 'netns' || w.length > 3 || (w[2] !== undefined && !['list', 'show', 'ls', 'l'].includes(w[2]))) return null;
  const inside = new Set(namespacesOf(s, host));
  const ids = new Map<string, number>();
  for (const [a, b] of s.links) {
    const peer = a.host === host && inside.has(b.host) ? b.host : b.host === host && inside.has(a.host) ? a.host : null;
    if (peer !== null && !ids.has(peer)) ids.set(peer, ids.size);
  }
  const lines = [...inside].reverse().map((n) => (ids.has(n) ? `${n} (id: ${ids.get(n)})` : n));
  return { stdout: lines.map((l) => `${l}\n`).join(''), stderr: '', exit: 0 };
}

/** The case after `text` ran on `host`, or iproute2's refusal positioned in `text`. */
export function netnsEdit(snapshot: Case, host: string, text: string): { ok: true; value: unknown } | { ok: false; diagnostics: Diagnostic[] } {
  const index = snapshot.hosts.findIndex((h) => h.name === host);
  const lead = text.length - text.trimStart().length;
  const at = snapshot.hosts[index]?.setup?.length ?? 0;
  const hosts = snapshot.hosts.map((h, i) => (i === index ? { ...h, setup: [...(h.setup ?? []), text.trim()] } : h));
  const r = expandNetns({ ...snapshot, hosts });
  const mine = r.problems.filter((p) => p.host === index && p.command === at);
  if (mine.length) return { ok: false, diagnostics: mine.map((p) => ({ ...p.diagnostic, from: p.diagnostic.from + lead, to: p.diagnostic.to + lead })) };
  if (r.problems.length) return { ok: false, diagnostics: r.problems.map((p) => ({ ...p.diagnostic, from: 0, to: text.length })) };
  return { ok: true, value: r.value };
}
