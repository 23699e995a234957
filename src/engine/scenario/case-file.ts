// pattern: Functional Core
// Reads an oracle case file (shared/oracle/FORMAT.md §1) into a Scenario,
// filling the same defaults the harness fills (lib/caseload.py
// normalize_step): fixed source ports 40000+N, ICMP ids 1000+N, ping payload
// "nfo-ping-N-" padded with dots to 56 bytes. Problems are reported with the
// JSON path of the field, never thrown.

import type { Diagnostic, Parsed } from '../text/diagnostics';
import type {
  CraftedPacket,
  Endpoint,
  Listener,
  Scenario,
  ScenarioHost,
  ScenarioSwitch,
  SetupCommand,
  Step,
} from './types';
import { expandNetns } from './netns';

const HOST_RE = /^[a-z][a-z0-9_]{0,14}$/;
const IF_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

type Json = unknown;

function isObj(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  diagnostics: Diagnostic[] = [];
  error(path: string, message: string, expected?: string): void {
    this.diagnostics.push({
      from: 0,
      to: 0,
      severity: 'error',
      message: `${path}: ${message}`,
      source: 'case',
      code: 'case/invalid',
      ...(expected ? { expected } : {}),
    });
  }
}

function endpoint(r: Reader, v: Json, hosts: Set<string>, path: string): Endpoint | null {
  if (typeof v !== 'string' || v.split(':').length !== 2) {
    r.error(path, `endpoint must be "host:ifname", got ${JSON.stringify(v)}`, 'host:ifname');
    return null;
  }
  const [host, iface] = v.split(':') as [string, string];
  if (!hosts.has(host)) {
    r.error(path, `unknown host ${JSON.stringify(host)}`);
    return null;
  }
  if (!IF_RE.test(iface) || iface === 'lo') {
    r.error(path, `bad interface name ${JSON.stringify(iface)}`, '[A-Za-z][A-Za-z0-9_.-]{0,14}, not lo');
    return null;
  }
  return { host, iface };
}

function num(v: Json, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

function addrPort(r: Reader, v: Json, path: string): boolean {
  if (typeof v !== 'string' || !/^[^:]+:\d{1,5}$/.test(v)) {
    r.error(path, `expected "addr:port", got ${JSON.stringify(v)}`, 'addr:port');
    return false;
  }
  return true;
}

function step(r: Reader, st: Json, n: number, hosts: Set<string>): Step | null {
  const path = `steps[${n - 1}]`;
  if (!isObj(st) || typeof st.from !== 'string' || !hosts.has(st.from)) {
    r.error(path, 'needs "from": HOST', 'a host name');
    return null;
  }
  const kinds = (['ping', 'tcp', 'udp', 'packet'] as const).filter((k) => k in st);
  if (kinds.length !== 1) {
    r.error(path, 'exactly one of ping, tcp, udp, packet required');
    return null;
  }
  const common = {
    from: st.from,
    timeout: num(st.timeout, 0.5),
    ...(typeof st.note === 'string' ? { note: st.note } : {}),
    ...(typeof st.src === 'string' ? { src: st.src } : {}),
    ...(typeof st.mark === 'number' ? { mark: st.mark } : {}),
    ...(typeof st.ttl === 'number' ? { ttl: st.ttl } : {}),
  };
  const kind = kinds[0]!;
  switch (kind) {
    case 'ping': {
      if (typeof st.ping !== 'string') {
        r.error(`${path}.ping`, 'expected an address');
        return null;
      }
      const payload = typeof st.payload === 'string' ? st.payload : `nfo-ping-${n}-`.padEnd(56, '.');
      return { ...common, kind, ping: st.ping, id: num(st.id, 1000 + n), seq: num(st.seq, 1), payload };
    }
    case 'tcp': {
      if (!addrPort(r, st.tcp, `${path}.tcp`)) return null;
      const close = st.close ?? 'rst';
      if (close !== 'rst' && close !== 'fin') {
        r.error(`${path}.close`, 'close must be rst or fin', 'rst | fin');
        return null;
      }
      return {
        ...common,
        kind,
        tcp: st.tcp as string,
        sport: num(st.sport, 40000 + n),
        ...(typeof st.data === 'string' && st.data !== '' ? { data: st.data } : {}),
        close,
      };
    }
    case 'udp': {
      if (!addrPort(r, st.udp, `${path}.udp`)) return null;
      return {
        ...common,
        kind,
        udp: st.udp as string,
        sport: num(st.sport, 40000 + n),
        data: typeof st.data === 'string' ? st.data : 'hello',
      };
    }
    case 'packet': {
      const p = st.packet;
      if (!isObj(p) || (p.proto !== 'tcp' && p.proto !== 'udp' && p.proto !== 'icmp') || typeof p.dst !== 'string') {
        r.error(`${path}.packet`, 'packet needs proto (tcp/udp/icmp) and dst');
        return null;
      }
      const pkt: CraftedPacket = {
        proto: p.proto,
        dst: p.dst,
        ttl: num(p.ttl, 64),
        ipid: num(p.ipid, 1000 + n),
      };
      if (typeof p.src === 'string') pkt.src = p.src;
      if (typeof p.tos === 'number') pkt.tos = p.tos;
      if (typeof p.df === 'boolean') pkt.df = p.df;
      if (typeof p.data === 'string') pkt.data = p.data;
      if (typeof p.window === 'number') pkt.window = p.window;
      if (p.proto === 'tcp' || p.proto === 'udp') {
        pkt.sport = num(p.sport, 40000 + n);
        if (typeof p.dport !== 'number') {
          r.error(`${path}.packet.dport`, 'packet needs dport');
          return null;
        }
        pkt.dport = p.dport;
      }
      if (p.proto === 'tcp') {
        pkt.flags = typeof p.flags === 'string' ? p.flags : 'S';
        pkt.seq = num(p.seq, 1000);
        pkt.ack = num(p.ack, 0);
      }
      if (p.proto === 'icmp') {
        pkt.type = num(p.type, 8);
        pkt.code = num(p.code, 0);
        pkt.id = num(p.id, 1000 + n);
        pkt.seq = num(p.seq, 1);
      }
      return { ...common, kind, packet: pkt };
    }
  }
}

/** Read a parsed case file JSON value into a Scenario. */
export function readCase(written: Json): Parsed<Scenario> {
  const r = new Reader();
  // `ip netns …` in a host's setup becomes the recorded form first (netns.ts): the rest reads hosts and links
  const expanded = expandNetns(written);
  const json = expanded.value;
  for (const p of expanded.problems) r.error(`hosts[${p.host}].setup[${p.command}]`, p.diagnostic.message, p.diagnostic.expected);
  if (!isObj(json)) {
    r.error('$', 'case must be a JSON object');
    return { value: null, diagnostics: r.diagnostics };
  }
  const name = typeof json.name === 'string' && json.name ? json.name : '';
  if (!name) r.error('name', 'case needs a name');
  const hosts: ScenarioHost[] = [];
  const names = new Set<string>();
  if (!Array.isArray(json.hosts) || json.hosts.length === 0) r.error('hosts', 'hosts must be a non-empty list');
  (Array.isArray(json.hosts) ? json.hosts : []).forEach((h: Json, i: number) => {
    if (!isObj(h) || typeof h.name !== 'string' || !HOST_RE.test(h.name)) {
      r.error(`hosts[${i}].name`, 'bad host name', '[a-z][a-z0-9_]{0,14}');
      return;
    }
    if (names.has(h.name)) {
      r.error(`hosts[${i}].name`, `duplicate host ${h.name}`);
      return;
    }
    names.add(h.name);
    const setup: SetupCommand[] = [];
    (Array.isArray(h.setup) ? h.setup : []).forEach((c: Json, j: number) => {
      if (typeof c === 'string') setup.push(c);
      else if (isObj(c) && typeof c['iptables-restore'] === 'string') {
        setup.push({ 'iptables-restore': c['iptables-restore'], noflush: c.noflush === true });
      } else r.error(`hosts[${i}].setup[${j}]`, 'command must be a string or {"iptables-restore": TEXT}');
    });
    hosts.push({ name: h.name, setup, ...(typeof h.in === 'string' ? { in: h.in } : {}) });
    if (h.in !== undefined && typeof h.in !== 'string') r.error(`hosts[${i}].in`, 'in must name the host the namespace is in', 'a host name');
  });
  // a namespace is inside a host, never inside another namespace: ip netns names are the machine's, not a namespace's
  hosts.forEach((h, i) => {
    if (h.in === undefined) return;
    const parent = hosts.find((p) => p.name === h.in);
    if (!parent || parent === h) r.error(`hosts[${i}].in`, `unknown host ${JSON.stringify(h.in)}`, 'another host of the case');
    else if (parent.in !== undefined) r.error(`hosts[${i}].in`, `${h.in} is itself a namespace of ${parent.in}`, 'a host that is not a namespace');
  });
  const used = new Set<string>();
  const claim = (e: Endpoint | null, path: string): Endpoint | null => {
    if (!e) return null;
    const key = `${e.host}:${e.iface}`;
    if (used.has(key)) {
      r.error(path, `interface ${key} used twice`);
      return null;
    }
    used.add(key);
    return e;
  };
  const links: [Endpoint, Endpoint][] = [];
  (Array.isArray(json.links) ? json.links : []).forEach((l: Json, i: number) => {
    if (!Array.isArray(l) || l.length !== 2) {
      r.error(`links[${i}]`, 'link must be ["hostA:if", "hostB:if"]');
      return;
    }
    const a = claim(endpoint(r, l[0], names, `links[${i}][0]`), `links[${i}][0]`);
    const b = claim(endpoint(r, l[1], names, `links[${i}][1]`), `links[${i}][1]`);
    if (a && b) links.push([a, b]);
  });
  const switches: ScenarioSwitch[] = [];
  (Array.isArray(json.switches) ? json.switches : []).forEach((s: Json, i: number) => {
    if (!isObj(s) || typeof s.name !== 'string' || !HOST_RE.test(s.name) || names.has(s.name)) {
      r.error(`switches[${i}].name`, 'switch needs a unique name');
      return;
    }
    const ports: Endpoint[] = [];
    (Array.isArray(s.ports) ? s.ports : []).forEach((p: Json, j: number) => {
      const e = claim(endpoint(r, p, names, `switches[${i}].ports[${j}]`), `switches[${i}].ports[${j}]`);
      if (e) ports.push(e);
    });
    if (ports.length < 2) r.error(`switches[${i}].ports`, `switch ${s.name} needs at least 2 ports`);
    switches.push({ name: s.name, ports });
  });
  const rtTables: Record<string, number> = {};
  if (json.rt_tables !== undefined) {
    if (!isObj(json.rt_tables)) r.error('rt_tables', 'rt_tables must map names to table ids 1..252');
    else
      for (const [k, v] of Object.entries(json.rt_tables)) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 252) r.error(`rt_tables.${k}`, 'table id must be 1..252');
        else rtTables[k] = v;
      }
  }
  const listeners: Listener[] = [];
  (Array.isArray(json.listeners) ? json.listeners : []).forEach((l: Json, i: number) => {
    if (!isObj(l) || typeof l.host !== 'string' || !names.has(l.host) || (l.proto !== 'tcp' && l.proto !== 'udp') || typeof l.port !== 'number') {
      r.error(`listeners[${i}]`, 'bad listener', '{host, proto: tcp|udp, port}');
      return;
    }
    listeners.push({
      host: l.host,
      proto: l.proto,
      port: l.port,
      addr: typeof l.addr === 'string' ? l.addr : '0.0.0.0',
      echo: l.echo === undefined ? true : Boolean(l.echo),
    });
  });
  const steps: Step[] = [];
  (Array.isArray(json.steps) ? json.steps : []).forEach((st: Json, i: number) => {
    const s = step(r, st, i + 1, names);
    if (s) steps.push(s);
  });
  const opts = isObj(json.options) ? json.options : {};
  const conntrack = opts.conntrack ?? 'auto';
  if (conntrack !== 'auto' && conntrack !== 'on') r.error('options.conntrack', 'options.conntrack must be auto or on', 'auto | on');
  const scenario: Scenario = {
    name,
    description: typeof json.description === 'string' ? json.description : '',
    conntrack: conntrack === 'on' ? 'on' : 'auto',
    rtTables,
    hosts,
    links,
    switches,
    listeners,
    steps,
  };
  return { value: r.diagnostics.length ? null : scenario, diagnostics: r.diagnostics };
}
