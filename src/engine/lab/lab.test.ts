// A lab walks from configuration it keeps, not from the case's setup
// commands: every kernel-checked case must come out of a lab exactly as it
// comes out of a fresh run of the case — opened whole, and built up one
// edit at a time — and undo must give back exactly the version before.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from './lab';
import { runCase } from '../run-case';
import { walkLog, type WalkLog } from '../walk-log';
import { kernelResult } from '../conformance/kernel-result';
import type { NotModelled } from '../not-modelled';
import { TABLES } from '../netfilter/hooks';
import { chainPage, hostConfigView } from './views';

const src = join(__dirname, '..', '..');
/** every case the project holds: the kernel-checked ones, the gallery's, the IPVS scenarios */
const cases = [
  ...readdirSync(join(src, 'engine/__fixtures__/oracle'))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'))
    .map((f) => join(src, 'engine/__fixtures__/oracle', f)),
  ...['gallery/scenarios', 'scenarios/ipvs', 'scenarios'].flatMap((d) =>
    readdirSync(join(src, d))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(src, d, f)),
  ),
].sort();

type Json = Record<string, unknown> & { hosts: { name: string; setup: (string | { 'iptables-restore': string; noflush?: boolean })[] }[] };

function read(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

/** The log without what is allowed to differ: where a not-modelled finding points (a setup index, or a table and chain). */
function comparable(log: WalkLog): unknown {
  return { ...log, notModelled: null };
}

function findingKeys(fs: readonly NotModelled[]): string[] {
  return fs.map((f) => `${f.host} ${f.subject}${f.rule ? ` ${f.rule}` : ''}`).sort();
}

function freshRun(json: unknown): { log: WalkLog; result: unknown } {
  const r = runCase(json);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return { log: walkLog(r.world, { chainRules: false }), result: r.result };
}

function openLab(json: unknown): Lab {
  const o = Lab.open(json);
  if (!o.ok) throw new Error(o.errors.join('; '));
  return o.lab;
}

describe('a lab opened from a case', () => {
  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(200);
  });

  it.each(cases.map((c) => [c.slice(src.length + 1), c]))('walks %s as a fresh run of the case does', (_name, path) => {
    const json = read(path);
    const fresh = freshRun(json);
    const walk = openLab(json).walk();
    expect(kernelResult(walk.world)).toEqual(fresh.result);
    expect(comparable(walk.log)).toEqual(comparable(fresh.log));
    expect(findingKeys(walk.log.notModelled)).toEqual(findingKeys(fresh.log.notModelled));
  });
});

describe('a lab built up by edits', () => {
  it.each(cases.map((c) => [c.slice(src.length + 1), c]))('walks %s the same once every setup command is applied as an edit', (_name, path) => {
    const json = read(path);
    const fresh = freshRun(json);
    const lab = openLab({ ...json, hosts: json.hosts.map((h) => ({ name: h.name, setup: [] })) });
    const empty = lab.walk().log;
    let edits = 0;
    for (const h of json.hosts) {
      for (const cmd of h.setup) {
        const r = typeof cmd === 'string' ? lab.edit(h.name, cmd) : lab.edit(h.name, cmd['iptables-restore'], cmd.noflush ? 'restore-noflush' : 'restore');
        expect(r.diagnostics.filter((d) => d.severity === 'error'), `${h.name}: ${JSON.stringify(cmd).slice(0, 200)}`).toEqual([]);
        edits++;
      }
    }
    const walk = lab.walk();
    expect(kernelResult(walk.world)).toEqual(fresh.result);
    expect(comparable(walk.log)).toEqual(comparable(fresh.log));
    // undo goes back through every version to the empty hosts, redo forward again
    for (let i = 0; i < Math.min(edits, 99); i++) expect(lab.undo()).not.toBeNull();
    if (edits <= 99) expect(comparable(lab.walk().log)).toEqual(comparable(empty));
    while (lab.redo() !== null);
    expect(comparable(lab.walk().log)).toEqual(comparable(fresh.log));
  });
});

describe('a lab part of the way back', () => {
  it.each(cases.map((c) => [c.slice(src.length + 1), c]))('walks %s, after undoing the second half of its edits, as the case cut to its first half', (_name, path) => {
    const json = read(path);
    const edits = json.hosts.flatMap((h) => h.setup.map((cmd) => ({ host: h.name, cmd })));
    const keep = Math.ceil(edits.length / 2);
    const lab = openLab({ ...json, hosts: json.hosts.map((h) => ({ name: h.name, setup: [] })) });
    for (const { host, cmd } of edits) {
      const r = typeof cmd === 'string' ? lab.edit(host, cmd) : lab.edit(host, cmd['iptables-restore'], cmd.noflush ? 'restore-noflush' : 'restore');
      expect(r.ok).toBe(true);
    }
    lab.walk();
    for (let i = keep; i < edits.length; i++) lab.undo();
    // the versions before were not touched by the edits after them, nor by the walk
    const kept = new Set(edits.slice(0, keep));
    const half = { ...json, hosts: json.hosts.map((h) => ({ name: h.name, setup: h.setup.filter((cmd) => [...kept].some((e) => e.host === h.name && e.cmd === cmd)) })) };
    expect(comparable(lab.walk().log)).toEqual(comparable(freshRun(half).log));
  });
});

const router = {
  name: 'two hosts and a router',
  hosts: [
    { name: 'client', setup: ['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', 'ip route add default via 10.0.1.1'] },
    {
      name: 'router',
      setup: [
        'ip addr add 10.0.1.1/24 dev eth0',
        'ip link set eth0 up',
        'ip addr add 10.0.2.1/24 dev eth1',
        'ip link set eth1 up',
        'sysctl -w net.ipv4.ip_forward=1',
        { 'iptables-restore': '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p tcp --dport 22 -j DROP\n-A FORWARD -p tcp --dport 80 -j ACCEPT\nCOMMIT\n' },
      ],
    },
    { name: 'server', setup: ['ip addr add 10.0.2.2/24 dev eth0', 'ip link set eth0 up', 'ip route add default via 10.0.2.1'] },
  ],
  links: [
    ['client:eth0', 'router:eth0'],
    ['router:eth1', 'server:eth0'],
  ],
  listeners: [{ host: 'server', proto: 'tcp', addr: '0.0.0.0', port: 80 }],
  steps: [{ from: 'client', tcp: '10.0.2.2:80' }],
};

describe('editing a lab', () => {
  it('keeps every rule it did not touch as the same object, and the version before unchanged', () => {
    const lab = openLab(router);
    const before = lab.config('router')!;
    const rulesBefore = before.rules.tables.filter.chains.get('FORWARD')!.rules.slice();
    const r = lab.edit('router', 'iptables -I FORWARD 2 -p tcp --dport 443 -j ACCEPT');
    expect(r).toMatchObject({ ok: true, changed: { host: 'router', parts: ['rules', 'net'] } });
    const after = lab.config('router')!.rules.tables.filter.chains.get('FORWARD')!.rules;
    expect(after).toHaveLength(3);
    expect(after[0]).toBe(rulesBefore[0]);
    expect(after[2]).toBe(rulesBefore[1]);
    expect(before.rules.tables.filter.chains.get('FORWARD')!.rules).toEqual(rulesBefore);
    // the other hosts are the very same configuration
    lab.undo();
    expect(lab.config('router')).toBe(before);
  });

  it('refuses a bad command with the tool message at its place and changes nothing', () => {
    const lab = openLab(router);
    const v = lab.version;
    const before = lab.config('router');
    const r = lab.edit('router', '  iptables -A FORWARD -p tcp --dport 99999 -j ACCEPT');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', line: 1 });
    expect(r.diagnostics[0]!.column).toBeGreaterThan(3);
    expect(lab.version).toBe(v);
    expect(lab.config('router')).toBe(before);
    expect(lab.canUndo).toBe(false);
  });

  it('changes the walk: a new DROP rule ahead of the ACCEPT stops the connection', () => {
    const lab = openLab(router);
    const accepted = lab.walk().log.packets.find((p) => p.host === 'router')!;
    expect(accepted.disposition).toMatchObject({ verdict: 'sent' });
    expect(lab.edit('router', 'iptables -I FORWARD -p tcp --dport 80 -j DROP').ok).toBe(true);
    const dropped = lab.walk().log.packets.find((p) => p.host === 'router')!;
    expect(dropped.disposition).toMatchObject({ verdict: 'drop' });
  });

  it('does not let a walk change the configuration: two walks of one version are the same', () => {
    const lab = openLab(router);
    const a = lab.walk();
    const b = lab.walk();
    expect(b.id).not.toBe(a.id);
    expect(comparable(b.log)).toEqual(comparable(a.log));
  });

  it('keeps state across sends when asked, replacing the traffic otherwise', () => {
    const lab = openLab(router);
    const first = lab.send([{ from: 'client', tcp: '10.0.2.2:80' }]);
    expect(first.ok).toBe(true);
    const kept = lab.send([{ from: 'client', tcp: '10.0.2.2:80' }], { keep: true });
    expect(kept.ok && kept.walk.log.scenarioSteps).toHaveLength(2);
    const fresh = lab.send([{ from: 'client', ping: '10.0.2.2' }]);
    expect(fresh.ok && fresh.walk.log.scenarioSteps).toHaveLength(1);
    expect(lab.traffic).toHaveLength(1);
  });

  it('refuses traffic from a host it does not have, saying which field', () => {
    const lab = openLab(router);
    const r = lab.send([{ from: 'nobody', ping: '10.0.2.2' }]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join(' ')).toMatch(/steps\[0\]/);
  });

  it('gives back a case whose fresh run is the lab walk', () => {
    const lab = openLab(router);
    lab.edit('router', 'iptables -I FORWARD -p tcp --dport 80 -j LOG --log-prefix "web "');
    lab.edit('router', 'ip route add 192.0.2.0/24 via 10.0.2.2');
    const snap = lab.snapshot();
    expect(comparable(freshRun(snap).log)).toEqual(comparable(lab.walk().log));
    expect(lab.exportText('router', 'iptables-save')).toMatchObject({ ok: true, text: expect.stringContaining('-A FORWARD -p tcp -m tcp --dport 80 -j LOG --log-prefix "web "') });
  });

  it('saves again after edits exactly what a lab opened from scratch saves (chain texts kept between snapshots never go stale)', () => {
    const lab = openLab(router);
    lab.snapshot();
    for (const cmd of ['iptables -A FORWARD -s 192.0.2.9 -j DROP', 'iptables -N X', 'iptables -A X -j ACCEPT', 'iptables -E X Y', 'iptables -P FORWARD DROP', 'iptables -D FORWARD 1']) {
      expect(lab.edit('router', cmd).ok, cmd).toBe(true);
      lab.snapshot();
    }
    const snap = lab.snapshot();
    const text = JSON.stringify(snap);
    expect(text).toContain('-A FORWARD -s 192.0.2.9/32 -j DROP');
    expect(text).toContain('-A Y -j ACCEPT');
    expect(text).not.toContain('-A X ');
    const fresh = Lab.open(snap);
    if (!fresh.ok) throw new Error(fresh.errors.join());
    expect(fresh.lab.snapshot()).toEqual(snap);
    lab.undo();
    expect(JSON.stringify(lab.snapshot())).not.toBe(text);
    lab.redo();
    expect(lab.snapshot()).toEqual(snap);
  });

  it('makes a snapshot in slices that is the version it was asked of, whatever edits come between its slices', () => {
    const rules = Array.from({ length: 9000 }, (_, i) => `-A FORWARD -s 10.${i >> 8}.${i & 255}.0/24 -j DROP`);
    const big = () => {
      const l = openLab(router);
      expect(l.edit('router', `*filter\n${rules.join('\n')}\nCOMMIT\n`, 'restore-noflush').ok).toBe(true);
      return l;
    };
    // the same version in a lab of its own, saved at once
    const before = big().snapshot();
    const lab = big();
    const { version, work } = lab.snapshotSliced();
    expect(version).toBe(lab.version);
    expect(work.next().done).toBe(false);
    lab.edit('router', 'iptables -A FORWARD -s 198.51.100.1/32 -j DROP');
    lab.edit('router', 'ip route add 192.0.2.0/24 via 10.0.2.2');
    let pauses = 1;
    let r = work.next();
    for (; !r.done; r = work.next()) pauses++;
    // 9,000 rules pause at least twice (SAVE_SLICE rules a slice)
    expect(pauses).toBeGreaterThanOrEqual(2);
    expect(r.value).toEqual(before);
    expect(lab.snapshot()).not.toEqual(before);
  });
});

describe('a chain page of a walk', () => {
  it.each(cases.map((c) => [c.slice(src.length + 1), c]))('counts in %s, after the last step, what the kernel-checked counters hold', (_name, path) => {
    const lab = openLab(read(path));
    const walk = lab.walk();
    for (const host of walk.world.hostList) {
      const config = lab.config(host.name)!;
      for (const table of TABLES) {
        for (const chain of config.rules.tables[table].chains.values()) {
          const page = chainPage(config, table, chain.name, 0, chain.rules.length, { log: walk.log, host: host.name, asOf: walk.log.steps.length - 1 })!;
          chain.rules.forEach((r, i) => {
            const k = host.counters.get(r) ?? { packets: 0, bytes: 0 };
            expect(page.rules[i]!.counters, `${host.name} ${table} ${chain.name} rule ${i + 1}`).toEqual({ packets: k.packets, bytes: k.bytes });
          });
          if (chain.builtin) expect(page.policyCounters.packets, `${host.name} ${table} ${chain.name} policy`).toBe(host.counters.get(chain)?.packets ?? 0);
        }
      }
    }
  });

  it('shows counters as they were at the step, not at the end', () => {
    const lab = openLab(router);
    lab.send([
      { from: 'client', tcp: '10.0.2.2:80' },
      { from: 'client', tcp: '10.0.2.2:80' },
    ]);
    const walk = lab.walk();
    const config = lab.config('router')!;
    const at = (asOf: number) => chainPage(config, 'filter', 'FORWARD', 0, 10, { log: walk.log, host: 'router', asOf })!;
    const web = walk.log.steps.filter((s) => s.kind === 'rule' && s.host === 'router' && s.chain === 'FORWARD' && s.rule !== null && s.rulenum === 2);
    expect(web.length).toBe(2);
    expect(at(web[0]!.i - 1).rules[1]!.counters.packets).toBe(0);
    expect(at(web[0]!.i).rules[1]!.counters).toEqual({ packets: 1, bytes: web[0]!.headers.len });
    expect(at(web[1]!.i).rules[1]!.counters.packets).toBe(2);
    expect(at(-1).policyCounters.packets).toBe(0);
    const end = at(walk.log.steps.length - 1);
    expect(end.total).toBe(2);
    expect(end.rules[1]).toMatchObject({ num: 2, text: '-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT', matches: ['tcp'], target: 'ACCEPT', goto: false });
  });

  it('gives a page of a long chain and says how long it is', () => {
    const lab = openLab(router);
    for (let i = 0; i < 30; i++) lab.edit('router', `iptables -A FORWARD -s 192.0.2.${i} -j DROP`);
    const page = chainPage(lab.config('router')!, 'filter', 'FORWARD', 20, 5, null)!;
    expect(page.total).toBe(32);
    expect(page.rules.map((r) => r.num)).toEqual([21, 22, 23, 24, 25]);
    expect(page.rules[0]!.text).toBe('-A FORWARD -s 192.0.2.18/32 -j DROP');
  });
});

describe('the configuration view of a host', () => {
  it('lists what the host has in Linux terms, without any text to parse back', () => {
    const lab = openLab({ ...router, rt_tables: { custom: 100 } });
    lab.edit('router', 'ip rule add from 192.168.2.0/24 lookup custom');
    lab.edit('router', 'ip route add 192.168.9.0/24 via 10.0.2.2 table custom');
    const v = hostConfigView('router', lab.config('router')!);
    expect(v.interfaces.find((i) => i.name === 'eth1')).toMatchObject({ up: true, addrs: ['10.0.2.1/24'] });
    expect(v.fibRules.map((r) => r.text)).toContain('32765:\tfrom 192.168.2.0/24 lookup custom');
    expect(v.routes.find((r) => r.dst === '192.168.9.0/24')).toMatchObject({ table: 100, tableName: 'custom', type: 'unicast' });
    expect(v.sysctls.find((s) => s.key === 'net.ipv4.ip_forward')).toMatchObject({ value: '1', defaultValue: '0' });
    expect(v.chains.filter?.map((c) => [c.name, c.policy, c.rules])).toEqual([
      ['INPUT', 'ACCEPT', 0],
      ['FORWARD', 'DROP', 2],
      ['OUTPUT', 'ACCEPT', 0],
    ]);
  });
});

describe('what a lab says is not modelled', () => {
  it('names the first rules of a kind and counts the rest, so 13,800 kube-proxy rules make one notice', () => {
    const lab = openLab(router);
    for (let i = 0; i < 6; i++) lab.edit('router', `iptables -A FORWARD -m statistic --mode random --probability 0.5 -s 192.0.2.${i} -j ACCEPT`);
    const found = lab.walk().log.notModelled.filter((f) => f.host === 'router' && f.subject.includes('statistic'));
    expect(found).toHaveLength(4);
    expect(found.slice(0, 3).map((f) => f.rule)).toEqual([0, 1, 2].map((i) => `-A FORWARD -s 192.0.2.${i}/32 -m statistic --mode random --probability 0.50000000000 -j ACCEPT`));
    expect(found[3]!.detail).toBe('3 more rules like the ones above');
  });
});
