// Lab-level edits change the case object the way the case format wants,
// everywhere a name appears, and refuse what the format forbids.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportText } from '../../engine/edit/scenario-edit';
import { addHost, addLink, addListener, deleteHost, deleteLink, deleteListener, deleteRtTable, hostNames, linkIfaces, renameHost, setRtTable, withTraffic } from './scenario-ops';
import type { Case } from '../../engine/scenario/case';

const base = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8')) as Case;
const ok = (r: { ok: true; scenario: Case } | { ok: false; message: string }): Case => {
  if (!r.ok) throw new Error(r.message);
  return r.scenario;
};
/** the engine reads the result as a valid case */
const valid = (c: Case) => expect(exportText(c, null, 'case').ok).toBe(true);

describe('hosts and links', () => {
  it('adds a host and links it, and the engine reads the lab', () => {
    const s = ok(addLink(ok(addHost(base, 'db')), { host: 'router', iface: 'eth2' }, { host: 'db', iface: 'eth0' }));
    expect(hostNames(s)).toEqual(['client', 'router', 'web', 'db']);
    expect(linkIfaces(s, 'router')).toEqual(['eth0', 'eth1', 'eth2']);
    valid(s);
  });

  it('renames a host in links, listeners and traffic too', () => {
    const s = ok(renameHost(base, 'web', 'www'));
    expect(JSON.stringify(s)).not.toMatch(/"web"|"web:/);
    expect(s.links).toEqual([['client:eth0', 'router:eth0'], ['router:eth1', 'www:eth0']]);
    expect(s.listeners![0]!.host).toBe('www');
    expect(s.steps![1]!.from).toBe('www');
    valid(s);
  });

  it('deletes a host with its links, listeners and traffic', () => {
    const s = ok(deleteHost(base, 'web'));
    expect(hostNames(s)).toEqual(['client', 'router']);
    expect(s.links).toEqual([['client:eth0', 'router:eth0']]);
    expect(s.listeners).toEqual([]);
    expect(s.steps!.length).toBe(1);
  });

  it('refuses names the case format forbids, duplicates and reused interfaces', () => {
    expect(addHost(base, 'Router').ok).toBe(false);
    expect(addHost(base, 'web').ok).toBe(false);
    expect(renameHost(base, 'web', 'client').ok).toBe(false);
    expect(addLink(base, { host: 'router', iface: 'eth0' }, { host: 'web', iface: 'eth1' }).ok).toBe(false);
    expect(addLink(base, { host: 'router', iface: 'lo' }, { host: 'web', iface: 'eth1' }).ok).toBe(false);
    expect(deleteHost(ok(deleteHost(ok(deleteHost(base, 'web')), 'client')), 'router').ok).toBe(false);
  });

  it('deletes a link by its place in the list', () => {
    expect(ok(deleteLink(base, 0)).links).toEqual([['router:eth1', 'web:eth0']]);
    expect(deleteLink(base, 5).ok).toBe(false);
  });
});

describe('listeners and routing table names', () => {
  it('adds and deletes listeners', () => {
    const s = ok(addListener(base, { host: 'router', proto: 'udp', port: 53, echo: false }));
    expect(s.listeners).toHaveLength(2);
    valid(s);
    expect(addListener(s, { host: 'router', proto: 'udp', port: 53 }).ok).toBe(false);
    expect(addListener(s, { host: 'router', proto: 'udp', port: 70000 }).ok).toBe(false);
    expect(ok(deleteListener(s, 0)).listeners).toEqual([{ host: 'router', proto: 'udp', port: 53, echo: false }]);
  });

  it('names routing tables like rt_tables, 1..252, one name per id', () => {
    const s = ok(setRtTable(base, 'isp2', 100));
    expect(s.rt_tables).toEqual({ isp2: 100 });
    valid(s);
    expect(setRtTable(s, 'other', 100).ok).toBe(false);
    expect(setRtTable(s, 'main', 9).ok).toBe(false);
    expect(setRtTable(s, 'x', 253).ok).toBe(false);
    expect(ok(deleteRtTable(s, 'isp2')).rt_tables).toBeUndefined();
  });
});

describe('undo keeps the traffic being looked at', () => {
  it('carries the current steps into an older configuration', () => {
    const older = { ...base, hosts: base.hosts.slice() };
    const now = { ...base, steps: [{ from: 'client', ping: '203.0.113.1' }] };
    expect(withTraffic(older, now).steps).toEqual(now.steps);
  });

  it('leaves out steps from hosts the older configuration lacks', () => {
    const now = { ...ok(addHost(base, 'db')), steps: [{ from: 'db', ping: '1.2.3.4' }] };
    expect(withTraffic(base, now)).toBe(base);
  });
});
