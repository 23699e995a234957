// A scenario from outside (a file, a save, a link) is a Case only once its
// shape is checked: each problem names the field and what belongs there.
// What the shape cannot say is said in the engine reader's own words.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Case } from '../engine/scenario/case';
import { readCase } from '../engine/scenario/case-file';
import { kubeProxyCase } from '../scenarios/kube-proxy';
import { GALLERY } from '../gallery';
import { caseReferenceProblem, checkCase } from './case-shape';

const ORACLE_DIR = join(__dirname, '..', 'engine', '__fixtures__', 'oracle');
const base: Case = { name: 'lab', hosts: [{ name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] }, { name: 'b' }], links: [['a:eth0', 'b:eth0']] };
const withField = (extra: Record<string, unknown>) => ({ ...base, ...extra });

describe('checkCase', () => {
  it('takes every case the engine reads (the oracle cases, the gallery, kube-proxy) as it is', () => {
    const files = readdirSync(ORACLE_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'));
    expect(files.length).toBeGreaterThan(50);
    const cases: unknown[] = [...files.map((f) => JSON.parse(readFileSync(join(ORACLE_DIR, f), 'utf8'))), ...GALLERY.map((g) => g.scenario), kubeProxyCase('iptables'), kubeProxyCase('ipvs')];
    for (const c of cases) {
      expect(checkCase(c), (c as Case).name).toEqual({ ok: true, value: c });
      if (readCase(c).value) expect(caseReferenceProblem(c as Case), (c as Case).name).toBeNull();
    }
  });

  it('keeps the object it was given, so the page can tell scenarios apart by identity', () => {
    const r = checkCase(base);
    expect(r.ok && r.value).toBe(base);
  });

  it.each([
    ['not an object', [1, 2], '$: expected a scenario: an object with its name and hosts'],
    ['no name', { hosts: [{ name: 'a' }] }, 'name: expected the scenario’s name (text)'],
    ['no hosts', { name: 'x', hosts: [] }, 'hosts: expected a list of at least one host'],
    ['a host without a name', { name: 'x', hosts: [{ setup: [] }] }, 'hosts[0].name: expected the host’s name'],
    ['setup not a list', { name: 'x', hosts: [{ name: 'a', setup: 'no' }] }, 'hosts[0].setup: expected a list of commands'],
    ['a number as a command', { name: 'x', hosts: [{ name: 'a', setup: ['ip link', 42] }] }, 'hosts[0].setup[1]: expected a command (text) or {"iptables-restore": TEXT}'],
    ['half a link', withField({ links: [['a:eth0']] }), 'links[0]: expected a pair of "host:ifname"'],
    ['a table id in words', withField({ rt_tables: { t: 'x' } }), 'rt_tables.t: expected a table number'],
    ['conntrack maybe', withField({ options: { conntrack: 'maybe' } }), 'options.conntrack: expected auto or on'],
    ['a switch without ports', withField({ switches: [{ name: 's' }] }), 'switches[0].ports: expected a list of "host:ifname"'],
    ['a listener on port "80"', withField({ listeners: [{ host: 'a', proto: 'tcp', port: '80' }] }), 'listeners[0].port: expected a port number'],
    ['a step without a sender', withField({ steps: [{ ping: '10.0.0.2' }] }), 'steps[0].from: expected the name of the host that sends'],
    ['a step of two kinds', withField({ steps: [{ from: 'a', ping: '10.0.0.2', tcp: '10.0.0.2:80' }] }), 'steps[0]: expected exactly one of ping, tcp, udp, packet'],
    ['a timeout in words', withField({ steps: [{ from: 'a', ping: '10.0.0.2', timeout: 'soon' }] }), 'steps[0].timeout: expected a number of seconds'],
    ['close by slamming', withField({ steps: [{ from: 'a', tcp: '10.0.0.2:80', close: 'slam' }] }), 'steps[0].close: expected rst or fin'],
    ['a packet of sctp', withField({ steps: [{ from: 'a', packet: { proto: 'sctp', dst: '10.0.0.2' } }] }), 'steps[0].packet.proto: expected tcp, udp or icmp'],
    ['a packet with df "yes"', withField({ steps: [{ from: 'a', packet: { proto: 'icmp', dst: '10.0.0.2', df: 'yes' } }] }), 'steps[0].packet.df: expected true or false'],
  ])('refuses %s, naming the field and what was expected', (_what, json, message) => {
    expect(checkCase(json)).toEqual({ ok: false, message });
  });
});

describe('caseReferenceProblem', () => {
  it.each<[string, Case, string]>([
    ['a host named twice', { ...base, hosts: [...base.hosts, { name: 'a' }] }, 'hosts[2].name: duplicate host a'],
    ['a link to nobody', { ...base, links: [['a:eth0', 'nobody:eth0']] }, 'links[0][1]: unknown host "nobody"'],
    ['a link on lo', { ...base, links: [['a:lo', 'b:eth0']] }, 'links[0][0]: bad interface name "lo"'],
    ['an interface used twice', { ...base, switches: [{ name: 'sw', ports: ['a:eth0', 'b:eth1'] }] }, 'switches[0].ports[0]: interface a:eth0 used twice'],
    ['a switch named like a host', { ...base, links: [], switches: [{ name: 'a', ports: ['a:eth0', 'b:eth0'] }] }, 'switches[0].name: switch needs a unique name'],
    ['a listener on nobody', { ...base, listeners: [{ host: 'ghost', proto: 'tcp', port: 80 }] }, 'listeners[0]: bad listener'],
    ['a step from nobody', { ...base, steps: [{ from: 'ghost', ping: '10.0.0.2' }] }, 'steps[0]: needs "from": HOST'],
    ['a tcp packet without its port', { ...base, steps: [{ from: 'a', packet: { proto: 'tcp', dst: '10.0.0.2' } }] }, 'steps[0].packet.dport: packet needs dport'],
  ])('says what %s is, as the engine’s reader says it', (_what, c, message) => {
    expect(caseReferenceProblem(c)).toBe(message);
    expect(readCase(c).diagnostics.map((d) => d.message)).toContain(message);
  });
});
