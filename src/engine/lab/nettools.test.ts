// `ss`, `ifconfig`, `route`, `arp` and `netstat` in the console print what
// iproute2 6.1.0's ss and Debian's net-tools 2.10 print for the same state.
// The expected texts were recorded by __fixtures__/nettools/record.py,
// which builds nettools.json's hosts as network namespaces the way the
// oracle does, makes each state with the oracle's own listener agent and a
// client, and runs queries.txt there. The engine reaches the same states
// by walking nettools.json: before the walk (start), once the server has
// taken the client's handshake ACK (estab), once it has the client's SYN
// (synrecv), and at the end, the client's side in TIME-WAIT (timewait).
// Rewritten in the recordings, and only there:
// - the namespaces' names (`pwnt-HOST`);
// - `ss -s`'s `Total:` and the TCP line's first and `closed` numbers, which
//   count what ss itself opens and every namespace's TCP sockets
//   (/proc/net/sockstat's `sockets: used` and the machine-wide `alloc`),
//   and its `orphaned`, tcp_orphan_count, machine-wide too;
// - the order of `arp` rows: /proc/net/arp walks the neighbour hash, salted
//   per namespace, so two builds of one state list them in different orders.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, type LabWalk } from './lab';
import { translateNetTools } from '../net/net-tools-write';

const dir = join(__dirname, '__fixtures__', 'nettools');

interface Section {
  state: string | null;
  host: string;
  command: string;
  text: string;
  exit: number;
}

export function sections(file: string): Section[] {
  return readFileSync(join(dir, file), 'utf8')
    .split(/^### /m)
    .filter(Boolean)
    .map((s) => {
      const nl = s.indexOf('\n');
      const head = s.slice(0, nl);
      const m = /^(?:(\w+) )?([\w-]+): (.*)$/.exec(head)!;
      let text = s.slice(nl + 1).replace(/pwnt-/g, '');
      let exit = 0;
      const e = /\[exit (\d+)\]\n$/.exec(text);
      if (e) {
        exit = Number(e[1]);
        text = text.slice(0, e.index);
      }
      return { state: m[1] ?? null, host: m[2]!, command: m[3]!, text, exit };
    });
}

export function openNetTools(): Lab {
  const r = Lab.open(JSON.parse(readFileSync(join(dir, 'nettools.json'), 'utf8')));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.lab;
}

/** The first step at which `host` lists a socket in `state` (ss's name for it). */
function stepWhere(lab: Lab, walk: LabWalk, host: string, state: string): number {
  for (let i = 0; i < walk.log.steps.length; i++) if (lab.query(host, 'ss -tan', walk, i)!.stdout.includes(`\n${state} `)) return i;
  throw new Error(`${host} never has a ${state} socket`);
}

/** `ss -s`: what only a whole machine knows is masked on both sides. */
const maskSummary = (t: string) => t.replace(/^Total: \d+/m, 'Total: #').replace(/^TCP: {3}\d+ \(estab (\d+), closed \d+, orphaned \d+,/m, 'TCP:   # (estab $1, closed #, orphaned #,');

/** Rows whose order follows a hash salted per namespace (`arp`'s, listeners'), in a fixed order; the others stay where they are. */
const sortRows = (t: string) => {
  const lines = t.split('\n');
  const salted = (l: string) => /^\d+\.\d+\.\d+\.\d+ |^\? \(|LISTEN/.test(l);
  const sorted = lines.filter(salted).sort();
  return lines.map((l) => (salted(l) ? sorted.shift()! : l)).join('\n');
};

/** What the engine refuses rather than print what it does not keep: `ss -l` alone also lists netlink sockets. */
const REFUSED = new Set(['ss -l -n']);

describe('ss and net-tools print what the real tools print', () => {
  const lab = openNetTools();
  const walk = lab.walk();
  // each host as of its own moment: the client is established (its ACK sent, nothing unacknowledged) before the server is
  const asOf: Record<string, (host: string) => number> = {
    start: () => -1,
    estab: (host) => stepWhere(lab, walk, host, 'ESTAB'),
    synrecv: (host) => stepWhere(lab, walk, host, 'SYN-RECV'),
    timewait: () => walk.log.steps.length - 1,
  };
  for (const s of sections('nettools.golden.txt')) {
    it(`${s.state} ${s.host}: ${s.command}`, () => {
      const at = asOf[s.state!]!(s.host);
      const r = lab.query(s.host, s.command, at < 0 ? null : walk, at);
      expect(r).not.toBeNull();
      if (REFUSED.has(s.command)) {
        expect(r!.exit).not.toBe(0);
        expect(r!.stderr).toMatch(/not model/);
        return;
      }
      expect(r!.exit).toBe(s.exit);
      let printed = r!.stdout + r!.stderr;
      let real = s.text;
      if (s.command === 'ss -s') {
        printed = maskSummary(printed);
        real = maskSummary(real);
      }
      if (s.command.startsWith('arp') || /LISTEN.*\n.*LISTEN/.test(real)) {
        printed = sortRows(printed);
        real = sortRows(real);
      }
      expect(printed).toBe(real);
    });
  }
});

describe('the socket table as the walk leaves it', () => {
  const lab = openNetTools();
  const walk = lab.walk();
  const at = (host: string, cmd: string, step: number) => lab.query(host, cmd, walk, step)!.stdout;

  it('the handshake opens SYN-SENT on the client before the server answers', () => {
    const syn = walk.log.steps.findIndex((s) => s.host === 'client');
    expect(at('client', 'ss -tn', syn)).toContain('SYN-SENT 0      1           10.0.1.2:40000     10.0.2.2:80');
  });

  it('ss -s counts the host\'s own sockets: the server\'s four listeners and its accepted connection', () => {
    const estab = stepWhere(lab, walk, 'server', 'ESTAB');
    expect(at('server', 'ss -s', estab)).toContain('Total: 5\nTCP:   3 (estab 1, closed 0, orphaned 0, timewait 0)');
    expect(at('client', 'ss -s', walk.log.steps.length - 1)).toContain('TCP:   0 (estab 0, closed 0, orphaned 0, timewait 1)');
  });

  it('before its first packet a host has only its listeners, whatever the step on screen', () => {
    expect(at('server', 'ss -tan', 0)).toBe(lab.query('server', 'ss -tan', null, -1)!.stdout);
  });
});

describe('net-tools writes become the iproute2 commands that make the same change', () => {
  // writes.txt runs in order on one lab, as record.py ran it on one build; each `=` line reads the result
  const lab = openNetTools();
  const lines = readFileSync(join(dir, 'writes.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const recorded = sections('writes.golden.txt');
  lines.forEach((line, k) => {
    const s = recorded[k]!;
    const read = line.startsWith('= ');
    it(`${read ? 'then ' : ''}${s.host}: ${s.command}`, () => {
      expect(`${s.host}: ${s.command}`).toBe(line.replace(/^= /, ''));
      if (read) {
        const r = lab.query(s.host, s.command, null, -1)!;
        expect(r.stdout + r.stderr).toBe(s.text);
        return;
      }
      const r = lab.edit(s.host, s.command);
      if (s.exit === 0) {
        expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([]);
        expect(r.ok && r.translated?.[0]?.commands.every((c) => c.text.startsWith('ip '))).toBe(true);
      } else {
        expect(r.ok).toBe(false);
        expect(r.diagnostics.map((d) => `${d.message}\n`).join('')).toBe(s.text);
      }
    });
  });
});

describe('a translation names its ip commands and why', () => {
  const net = () => openNetTools().config('router')!.net;
  const tr = (text: string) => {
    const r = translateNetTools(text, net());
    if (!r?.ok) throw new Error(JSON.stringify(r));
    return { commands: r.value.commands.map((c) => c.text), why: r.value.why };
  };

  it.each([
    ['route add default gw 10.0.2.2', ['ip route add default via 10.0.2.2'], 'route'],
    ['route add -net 10.50.0.0 netmask 255.255.0.0 gw 10.0.2.2', ['ip route add 10.50.0.0/16 via 10.0.2.2'], 'route'],
    ['route add -host 10.70.0.6 dev eth0', ['ip route add 10.70.0.6 dev eth0'], 'route'],
    ['route add -net 10.60.0.0/16 gw 10.0.1.2 metric 7', ['ip route add 10.60.0.0/16 via 10.0.1.2 metric 7'], 'route'],
    ['route del default', ['ip route del default'], 'route'],
    ['ifconfig eth2 up', ['ip link set eth2 up'], 'ifconfig-link'],
    ['ifconfig eth0 mtu 1400', ['ip link set eth0 mtu 1400'], 'ifconfig-link'],
    ['ifconfig eth2 10.0.4.1 netmask 255.255.255.0', ['ip addr del 10.0.3.1/24 dev eth2', 'ip addr add 10.0.4.1/24 brd 10.0.4.255 dev eth2', 'ip link set eth2 up'], 'ifconfig-addr'],
    ['ifconfig eth1:web 10.0.2.11', ['ip addr del 10.0.2.10/24 dev eth1', 'ip addr add 10.0.2.11/8 brd 10.255.255.255 dev eth1 label eth1:web'], 'ifconfig-addr'],
  ])('%s', (text, commands, why) => {
    expect(tr(text)).toEqual({ commands, why });
  });

  it('the read-only forms are not writes', () => {
    expect(translateNetTools('route -n', net())).toBeNull();
    expect(translateNetTools('ifconfig -a', net())).toBeNull();
    expect(translateNetTools('ifconfig eth0', net())).toBeNull();
  });

  it.each([
    ['route add -net 10.50.0.1 netmask 255.255.0.0 gw 10.0.2.2', 'route: netmask doesn\'t match route address', '10.50.0.1'],
    ['route add default gw nowhere', 'nowhere: Unknown host', 'nowhere'],
    ['route add default gw 10.0.2.2 dev eth7', 'SIOCADDRT: No such device', 'eth7'],
    ['ifconfig eth0 mtu 20', 'SIOCSIFMTU: Invalid argument', '20'],
    ['ifconfig eth0 10.0.1.300', '10.0.1.300: Unknown host', '10.0.1.300'],
  ])('%s is refused as net-tools refuses it, pointing at the word', (text, message, word) => {
    const r = translateNetTools(text, net());
    expect(r?.ok).toBe(false);
    const d = !r!.ok ? r!.diagnostics[0]! : null;
    expect(d?.message).toBe(message);
    expect(text.slice(d!.from, d!.to)).toBe(word);
  });

  it('a refused translation points at the gateway, as SIOCADDRT fails on it', () => {
    const lab = openNetTools();
    const text = 'route add default gw 10.9.9.9';
    const r = lab.edit('router', text);
    expect(r.ok).toBe(false);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe('SIOCADDRT: Network is unreachable');
    expect(text.slice(d.from, d.to)).toBe('10.9.9.9');
  });
});

describe('the console knows the new tools', () => {
  const lab = openNetTools();

  it('help names ss and every net-tools command', () => {
    const help = lab.query('router', 'help', null, -1)!.stdout;
    for (const tool of ['ss -t|-u', 'ifconfig [-a]', 'route [-n]', 'arp [-n]', 'netstat -tuln']) expect(help).toContain(tool);
  });

  it('Tab completes the tools, their options and ifconfig\'s devices', () => {
    expect(lab.complete('router', 'ifc')).toEqual(['ifconfig']);
    expect(lab.complete('router', 'net')).toEqual(['netstat']);
    expect(lab.complete('router', 'ss -tu')).toEqual(['ss -tuln']);
    expect(lab.complete('router', 'ifconfig e')).toEqual(['ifconfig eth0', 'ifconfig eth1', 'ifconfig eth2']);
    expect(lab.complete('router', 'ifconfig -a eth1')).toEqual([]);
    expect(lab.complete('router', 'route add default g')).toEqual(['route add default gw']);
  });

  it('a typo gets did-you-mean', () => {
    expect(lab.query('router', 'ifconfg -a', null, -1)).toEqual({ stdout: '', stderr: 'ifconfg: command not found; did you mean ifconfig?\n', exit: 127 });
    expect(lab.query('router', 'netsat -rn', null, -1)!.stderr).toContain('did you mean netstat?');
  });

  it('what the engine does not keep is refused, saying why', () => {
    expect(lab.query('server', 'ss -tlp', null, -1)!.stderr).toMatch(/-p \(processes\).*not modelled/);
    expect(lab.query('server', 'ss -l', null, -1)!.stderr).toMatch(/add -t and\/or -u/);
    expect(lab.query('server', 'netstat -tul', null, -1)!.stderr).toMatch(/numeric addresses only.*netstat -tuln/);
  });

  it('a read-only command makes no version; a translated write makes one', () => {
    const v = lab.version;
    for (const c of ['ss -tuln', 'ifconfig -a', 'route -n', 'arp -n', 'netstat -rn', 'ifconfig eth0']) expect(lab.editAll('router', [c]).ok).toBe(true);
    expect(lab.version).toBe(v);
    expect(lab.edit('router', 'route add default gw 10.0.2.2').ok).toBe(true);
    expect(lab.version).toBe(v + 1);
    expect(lab.query('router', 'route -n', null, -1)!.stdout).toContain('0.0.0.0         10.0.2.2        0.0.0.0         UG    0      0        0 eth1');
    expect(lab.snapshot().hosts.find((h) => h.name === 'router')!.setup).toContain('ip route add default via 10.0.2.2 dev eth1');
  });
});
