// pattern: Functional Core
// Network namespaces inside a host. The oracle records a namespace as one
// more host of the case joined to its host by a veth link (its hosts are
// namespaces already, and `ip netns add` inside a case would leave names
// behind on the machine: FORMAT.md §1.1 forbids the word). A learner types
// what the notes teach instead: `ip netns add app`, a veth pair, `ip link
// set veth1 netns app`, `ip netns exec app …`. This module turns those
// commands, in a host's setup, into that recorded form: the namespace is one
// more host with `in` naming its host, the pair is a link of the case, the
// commands run inside it are its setup. The walk then needs nothing new: a
// namespace is its own netfilter and routing stack because it is a host.
//
// Messages are iproute2's (ip/ipnetns.c, ip/iplink.c), as this machine's
// `ip` prints them; the namespaces' directory is /run/netns here.

import type { Diagnostic } from '../text/diagnostics';

/** A case host as this module reads it: name, setup and, for a namespace, its host. */
interface HostJson {
  name: string;
  in?: string;
  setup: unknown[];
  [k: string]: unknown;
}

export interface NetnsProblem {
  /** the host whose setup holds the command */
  host: number;
  command: number;
  diagnostic: Diagnostic;
}

/** A case host's name: the namespace becomes one, so it has to be one. */
const HOST_RE = /^[a-z][a-z0-9_]{0,14}$/;

interface Word {
  text: string;
  from: number;
  to: number;
}

function words(cmd: string): Word[] {
  return [...cmd.matchAll(/\S+/g)].map((m) => ({ text: m[0], from: m.index, to: m.index + m[0].length }));
}

/** `ip link set [dev] DEV netns NS` and nothing else: the one `ip link` form that moves a device. */
function linkSetNetns(ws: readonly Word[]): { dev: Word; ns: Word } | null {
  if (ws[0]?.text !== 'ip' || !/^l(i(nk?)?)?$/.test(ws[1]?.text ?? '') || ws[2]?.text !== 'set') return null;
  const rest = ws[3]?.text === 'dev' ? ws.slice(4) : ws.slice(3);
  if (rest.length !== 3 || rest[1]!.text !== 'netns') return null;
  return { dev: rest[0]!, ns: rest[2]! };
}

/** Whether a setup command is one this module expands (the rest run in the host as they are). */
export function isNetnsCommand(cmd: unknown): cmd is string {
  if (typeof cmd !== 'string') return false;
  const ws = words(cmd);
  return (ws[0]?.text === 'ip' && ws[1]?.text === 'netns') || linkSetNetns(ws) !== null;
}

/** A veth pair made by a plain `ip link add A type veth peer [name] B`. */
function vethPair(cmd: unknown): { a: string; b: string; up: boolean } | null {
  if (typeof cmd !== 'string') return null;
  const m = /^\s*ip\s+l(?:i(?:nk?)?)?\s+add\s+(?:(?:name|dev)\s+)?(\S+)\s+(up\s+)?type\s+veth\s+peer\s+(?:name\s+)?(\S+)\s*$/.exec(cmd);
  return m ? { a: m[1]!, b: m[3]!, up: m[2] !== undefined } : null;
}

function names(cmd: unknown, dev: string): boolean {
  return typeof cmd === 'string' && words(cmd).some((w) => w.text === dev);
}

function err(w: Word | { from: number; to: number }, message: string, code: string, expected?: string): Diagnostic {
  return { from: w.from, to: w.to, severity: 'error', message, source: 'ip', code, ...(expected ? { expected } : {}) };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The case with every host's `ip netns …` and `ip link set DEV netns NS`
 * carried out: namespaces as hosts (`in`: their host) appended after the
 * hosts in the order they were made, moved veth ends as links. A case
 * without them is returned as it is. Moving a device flushes its addresses
 * and routes and brings it down (dev_change_net_namespace), so the host's
 * earlier commands on it are dropped and it starts down in the namespace.
 *
 * @example expandNetns({ name: 'n', hosts: [{ name: 'web', setup: ['ip netns add app'] }] })
 *   // → hosts web and { name: 'app', in: 'web', setup: [] }
 */
export function expandNetns(json: unknown): { value: unknown; problems: NetnsProblem[] } {
  if (!isObj(json) || !Array.isArray(json.hosts)) return { value: json, problems: [] };
  const any = json.hosts.some((h) => isObj(h) && Array.isArray(h.setup) && h.setup.some(isNetnsCommand));
  if (!any) return { value: json, problems: [] };
  const problems: NetnsProblem[] = [];
  const hosts: HostJson[] = json.hosts.map((h) => (isObj(h) && typeof h.name === 'string' ? { ...h, name: h.name, setup: Array.isArray(h.setup) ? [...h.setup] : [] } : (h as HostJson)));
  let links: unknown[] = Array.isArray(json.links) ? json.links.map((l) => (Array.isArray(l) ? [...l] : l)) : [];
  const switches: unknown[] = Array.isArray(json.switches) ? json.switches.map((s) => (isObj(s) && Array.isArray(s.ports) ? { ...s, ports: [...s.ports] } : s)) : [];
  let listeners: unknown[] = Array.isArray(json.listeners) ? json.listeners : [];
  let steps: unknown[] = Array.isArray(json.steps) ? json.steps : [];
  const made: HostJson[] = [];
  const byName = (n: string): HostJson | undefined => [...hosts, ...made].find((h) => isObj(h) && h.name === n);
  const namespaceOf = (parent: string, n: string): HostJson | undefined => {
    const h = byName(n);
    return h && h.in === parent ? h : undefined;
  };

  const hostCount = hosts.length;
  for (let i = 0; i < hostCount; i++) {
    const host = hosts[i]!;
    if (!isObj(host) || !host.setup.some(isNetnsCommand)) continue;
    const kept: unknown[] = [];
    host.setup.forEach((cmd, j) => {
      if (!isNetnsCommand(cmd)) {
        kept.push(cmd);
        return;
      }
      const fail = (d: Diagnostic): void => void problems.push({ host: i, command: j, diagnostic: d });
      const ws = words(cmd);
      const move = linkSetNetns(ws);
      if (move) {
        const ns = namespaceOf(host.name, move.ns.text);
        // iplink_parse resolves `netns` before it looks the device up
        if (!ns) return fail(err(move.ns, `Error: argument "${move.ns.text}" is wrong: Invalid "netns" value`, 'ip/netns-invalid', 'a namespace made by ip netns add on this host'));
        const dev = move.dev.text;
        const pairAt = kept.findIndex((c) => {
          const p = vethPair(c);
          return p !== null && (p.a === dev || p.b === dev);
        });
        const end = links.findIndex((l) => Array.isArray(l) && l.includes(`${host.name}:${dev}`));
        if (pairAt < 0 && end < 0) return fail(err(move.dev, `Cannot find device "${dev}"`, 'ip/no-device'));
        let stays: string | null = null;
        if (pairAt >= 0) {
          const p = vethPair(kept[pairAt])!;
          stays = p.a === dev ? p.b : p.a;
          // the end that stays is a link of the case, which starts up: down as ip link add made it, unless `up`
          kept[pairAt] = p.up ? null : `ip link set ${stays} down`;
        }
        for (let k = 0; k < kept.length; k++) if (k !== pairAt && names(kept[k], dev)) kept[k] = null;
        if (stays !== null) links.push([`${host.name}:${stays}`, `${ns.name}:${dev}`]);
        else links[end] = (links[end] as unknown[]).map((e) => (e === `${host.name}:${dev}` ? `${ns.name}:${dev}` : e));
        ns.setup.push(`ip link set ${dev} down`);
        return;
      }
      const verb = ws[2];
      const name = ws[3];
      if (!verb || verb.text === 'list' || verb.text === 'show' || verb.text === 'ls') return;
      if (verb.text === 'add' || verb.text === 'a') {
        if (!name) return fail(err({ from: verb.to, to: verb.to }, 'No netns name specified', 'ip/netns-name', 'NAME'));
        if (name.text === '.' || name.text === '..' || name.text.includes('/')) return fail(err(name, `Invalid netns name "${name.text}"`, 'ip/netns-name'));
        if (byName(name.text)) return fail(err(name, `Cannot create namespace file "/run/netns/${name.text}": File exists`, 'ip/netns-exists'));
        if (!HOST_RE.test(name.text)) return fail(err(name, `namespace name "${name.text}" cannot be a host of the case`, 'case/netns-name', '[a-z][a-z0-9_]{0,14}'));
        made.push({ name: name.text, in: host.name, setup: [] });
        return;
      }
      if (verb.text === 'delete' || verb.text === 'del' || verb.text === 'd') {
        if (!name) return fail(err({ from: verb.to, to: verb.to }, 'No netns name specified', 'ip/netns-name', 'NAME'));
        const ns = namespaceOf(host.name, name.text);
        if (!ns) return fail(err(name, `Cannot remove namespace file "/run/netns/${name.text}": No such file or directory`, 'ip/netns-missing'));
        // the namespace's veth ends die with it, and with them their peers in the host
        const gone = (e: unknown): boolean => typeof e === 'string' && e.startsWith(`${ns.name}:`);
        for (const l of links) {
          if (!Array.isArray(l) || !l.some(gone)) continue;
          for (const e of l) {
            if (typeof e === 'string' && e.startsWith(`${host.name}:`)) {
              const dev = e.slice(host.name.length + 1);
              for (let k = 0; k < kept.length; k++) if (names(kept[k], dev)) kept[k] = null;
            }
          }
        }
        links = links.filter((l) => !(Array.isArray(l) && l.some(gone)));
        for (const s of switches) if (isObj(s) && Array.isArray(s.ports)) s.ports = s.ports.filter((p) => !gone(p));
        listeners = listeners.filter((l) => !(isObj(l) && l.host === ns.name));
        steps = steps.filter((s) => !(isObj(s) && s.from === ns.name));
        made.splice(made.indexOf(ns), 1);
        const at = hosts.indexOf(ns);
        if (at >= 0) hosts.splice(at, 1, { name: '', setup: [] });
        return;
      }
      if (verb.text === 'exec' || verb.text === 'e') {
        if (!name) return fail(err({ from: verb.to, to: verb.to }, 'No netns name specified', 'ip/netns-name', 'NAME'));
        const ns = namespaceOf(host.name, name.text);
        if (!ns) return fail(err(name, `Cannot open network namespace "${name.text}": No such file or directory`, 'ip/netns-missing'));
        const rest = typeof cmd === 'string' ? cmd.slice(name.to).trim() : '';
        if (!rest) return fail(err({ from: name.to, to: name.to }, 'No command specified', 'ip/netns-command', 'ip, iptables or sysctl'));
        ns.setup.push(rest);
        return;
      }
      fail(err(verb, `Command "${verb.text}" is unknown, try "ip netns help".`, 'ip/netns-verb', 'add, del, exec or list'));
    });
    host.setup = kept.filter((c) => c !== null);
  }
  const value = {
    ...json,
    hosts: [...hosts.filter((h) => !isObj(h) || h.name !== ''), ...made],
    ...(links.length || json.links !== undefined ? { links } : {}),
    ...(json.switches !== undefined ? { switches } : {}),
    ...(json.listeners !== undefined ? { listeners } : {}),
    ...(json.steps !== undefined ? { steps } : {}),
  };
  return { value, problems };
}

function scriptLine(cmd: unknown, inside: string | null): string[] {
  const pre = inside ? `ip netns exec ${inside} ` : '';
  if (typeof cmd === 'string') return [`${pre}${cmd}`];
  if (isObj(cmd) && typeof cmd['iptables-restore'] === 'string') {
    return [`${pre}iptables-restore${cmd.noflush === true ? ' --noflush' : ''} <<'EOF'`, ...cmd['iptables-restore'].replace(/\n$/, '').split('\n'), 'EOF'];
  }
  return [];
}

/**
 * A host's setup as the commands one types on it, its namespaces written
 * back as `ip netns` commands: each namespace made, the veth pair of each
 * link between them made and its end moved in, both ends up (a case link's
 * ends start up), then the host's own commands and each namespace's through
 * `ip netns exec`. What expandNetns reads back to the same hosts and links.
 *
 * @example hostScript(ns01WithIn, 'web') // 'ip netns add app\nip link add veth0 type veth peer name veth1\n…'
 */
export function hostScript(c: { hosts: { name: string; in?: string; setup?: unknown[] }[]; links?: [string, string][] }, host: string): string {
  const me = c.hosts.find((h) => h.name === host);
  if (!me) return '';
  const inside = c.hosts.filter((h) => h.in === host);
  const out: string[] = [];
  const pairs: string[] = [];
  const ups: string[] = [];
  for (const ns of inside) out.push(`ip netns add ${ns.name}`);
  for (const [a, b] of c.links ?? []) {
    const [mine, theirs] = a.startsWith(`${host}:`) ? [a, b] : b.startsWith(`${host}:`) ? [b, a] : [null, null];
    const ns = theirs && inside.find((n) => theirs.startsWith(`${n.name}:`));
    if (!mine || !ns) continue;
    const dev = mine.slice(host.length + 1);
    const peer = theirs.slice(ns.name.length + 1);
    pairs.push(`ip link add ${dev} type veth peer name ${peer}`, `ip link set ${peer} netns ${ns.name}`);
    ups.push(`ip link set ${dev} up`, `ip netns exec ${ns.name} ip link set ${peer} up`);
  }
  out.push(...pairs, ...ups);
  for (const cmd of me.setup ?? []) out.push(...scriptLine(cmd, null));
  for (const ns of inside) for (const cmd of ns.setup ?? []) out.push(...scriptLine(cmd, ns.name));
  return out.length ? `${out.join('\n')}\n` : '';
}
