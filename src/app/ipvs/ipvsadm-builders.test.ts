// The IPVS forms' commands, each run through the engine's edit path (the
// same applyEdit the console uses): what the form builds is what ipvsadm
// accepts, and the scenario ends up with the service and servers asked for.

import { describe, expect, it } from 'vitest';
import { applyEdit } from '../../engine/edit/scenario-edit';
import {
  emptyServerForm,
  emptyServiceForm,
  ipvsDeleteServerCommand,
  ipvsDeleteServiceCommand,
  ipvsServerCommand,
  ipvsServiceCommand,
  ipvsSysctlCommand,
  type ServiceForm,
  type ServiceRef,
} from './ipvsadm-builders';
import { Lab } from '../../engine/lab/lab';
import { hostConfigView, type HostConfigView } from '../../engine/lab/views';
import { hostSetup } from '../editor/scenario-ops';
import { labCase } from './lab-case';
import type { Case } from '../../engine/scenario/case';

/** What the IPVS section lists of the director: the lab's host view. */
function director(c: Case): HostConfigView {
  const o = Lab.open(c);
  if (!o.ok) throw new Error(o.errors.join('; '));
  return hostConfigView('director', o.lab.config('director')!);
}

function apply(c: Case, cmd: string): Case {
  const r = applyEdit(c, 'director', cmd, 'command');
  if (!r.ok) throw new Error(`${cmd}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.scenario;
}

const VIP: ServiceRef = { kind: 'tcp', address: '10.0.0.100:80', fwmark: '' };
const svcForm = (p: Partial<ServiceForm>): ServiceForm => ({ ...emptyServiceForm(), ...VIP, ...p });
const ipvsLines = (c: Case) => hostSetup(c, 'director').filter((x) => typeof x === 'string' && /^(ipvsadm|sysctl -w net.ipv4.vs)/.test(x));

describe('the virtual service form', () => {
  it('builds ipvsadm -A with the scheduler, and the engine adds the service', () => {
    const cmd = ipvsServiceCommand(svcForm({ scheduler: 'rr' }));
    expect(cmd).toBe('ipvsadm -A -t 10.0.0.100:80 -s rr');
    expect(ipvsLines(apply(labCase(), cmd))).toEqual(['ipvsadm -A -t 10.0.0.100:80 -s rr']);
  });

  it('adds -b flags only for the schedulers that take them', () => {
    expect(ipvsServiceCommand(svcForm({ scheduler: 'sh', flags: ['sh-fallback', 'sh-port'] }))).toBe('ipvsadm -A -t 10.0.0.100:80 -s sh -b sh-fallback,sh-port');
    expect(ipvsServiceCommand(svcForm({ scheduler: 'rr', flags: ['sh-port'] }))).toBe('ipvsadm -A -t 10.0.0.100:80 -s rr');
    const c = apply(labCase(), ipvsServiceCommand(svcForm({ scheduler: 'mh', flags: ['mh-port'] })));
    expect(ipvsLines(c)).toEqual(['ipvsadm -A -t 10.0.0.100:80 -s mh -b mh-port']);
  });

  it('writes persistence as -p [timeout] and -M netmask', () => {
    expect(ipvsServiceCommand(svcForm({ scheduler: 'wlc', persistent: true }))).toBe('ipvsadm -A -t 10.0.0.100:80 -s wlc -p');
    const cmd = ipvsServiceCommand(svcForm({ scheduler: 'wlc', persistent: true, timeout: '600', netmask: '255.255.255.0' }));
    expect(cmd).toBe('ipvsadm -A -t 10.0.0.100:80 -s wlc -p 600 -M 255.255.255.0');
    expect(ipvsLines(apply(labCase(), cmd))).toEqual(['ipvsadm -A -t 10.0.0.100:80 -s wlc -p 600 -M 255.255.255.0']);
    // ipvsadm's own default timeout is 360
    expect(ipvsLines(apply(labCase(), 'ipvsadm -A -t 10.0.0.100:80 -s wlc -p'))).toEqual(['ipvsadm -A -t 10.0.0.100:80 -s wlc -p 360']);
  });

  it('names UDP and fwmark services as ipvsadm does', () => {
    expect(ipvsServiceCommand(svcForm({ kind: 'udp', address: '10.0.0.100:53', scheduler: 'rr' }))).toBe('ipvsadm -A -u 10.0.0.100:53 -s rr');
    const fwm = ipvsServiceCommand({ ...emptyServiceForm(), kind: 'fwmark', fwmark: '7', scheduler: 'dh' });
    expect(fwm).toBe('ipvsadm -A -f 7 -s dh');
    expect(ipvsLines(apply(labCase(), fwm))).toEqual(['ipvsadm -A -f 7 -s dh']);
  });

  it('edits with -E and deletes with -D', () => {
    let c = apply(labCase(), 'ipvsadm -A -t 10.0.0.100:80 -s rr');
    c = apply(c, ipvsServiceCommand(svcForm({ op: 'edit', scheduler: 'wrr' })));
    expect(ipvsLines(c)).toEqual(['ipvsadm -A -t 10.0.0.100:80 -s wrr']);
    expect(ipvsDeleteServiceCommand(VIP)).toBe('ipvsadm -D -t 10.0.0.100:80');
    expect(ipvsLines(apply(c, ipvsDeleteServiceCommand(VIP)))).toEqual([]);
  });

  it('leaves the judging to ipvsadm: an unknown scheduler is refused with its message', () => {
    const r = applyEdit(labCase(), 'director', ipvsServiceCommand(svcForm({ scheduler: 'fastest' })), 'command');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics.map((d) => d.message).join()).toMatch(/Scheduler or persistence engine not found/);
  });
});

describe('the real server form', () => {
  const withService = () => apply(labCase(), 'ipvsadm -A -t 10.0.0.100:80 -s rr');

  it('builds ipvsadm -a with method and weight; three adds make the kernel list last-added first', () => {
    let c = withService();
    for (const n of [11, 12, 13]) {
      const cmd = ipvsServerCommand(VIP, { ...emptyServerForm(), server: `192.168.1.${n}:80`, method: '-m', weight: '1' });
      expect(cmd).toBe(`ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.${n}:80 -m -w 1`);
      c = apply(c, cmd);
    }
    expect(director(c).ipvs[0]!.servers.map((d) => d.addr)).toEqual(['192.168.1.13', '192.168.1.12', '192.168.1.11']);
  });

  it('edits a server in place with -e, keeping its position', () => {
    let c = withService();
    for (const n of [11, 12, 13]) c = apply(c, `ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.${n}:80 -m`);
    const cmd = ipvsServerCommand(VIP, { op: 'edit', server: '192.168.1.12:80', method: '-m', weight: '3', upper: '', lower: '' });
    expect(cmd).toBe('ipvsadm -e -t 10.0.0.100:80 -r 192.168.1.12:80 -m -w 3');
    c = apply(c, cmd);
    expect(director(c).ipvs[0]!.servers.map((d) => `${d.addr} w${d.weight}`)).toEqual(['192.168.1.13 w1', '192.168.1.12 w3', '192.168.1.11 w1']);
  });

  it('passes -x and -y to ipvsadm, which accepts them', () => {
    const cmd = ipvsServerCommand(VIP, { op: 'add', server: '192.168.1.11:80', method: '-g', weight: '2', upper: '100', lower: '50' });
    expect(cmd).toBe('ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.11:80 -g -w 2 -x 100 -y 50');
    expect(applyEdit(withService(), 'director', cmd, 'command').ok).toBe(true);
  });

  it('deletes with -d', () => {
    let c = apply(withService(), 'ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.11:80 -m');
    expect(ipvsDeleteServerCommand(VIP, '192.168.1.11:80')).toBe('ipvsadm -d -t 10.0.0.100:80 -r 192.168.1.11:80');
    c = apply(c, ipvsDeleteServerCommand(VIP, '192.168.1.11:80'));
    expect(ipvsLines(c)).toEqual(['ipvsadm -A -t 10.0.0.100:80 -s rr']);
  });

  it('reports ipvsadm’s message for a server of a missing service', () => {
    const r = applyEdit(labCase(), 'director', ipvsServerCommand(VIP, { ...emptyServerForm(), server: '192.168.1.11:80' }), 'command');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics.map((d) => d.message).join()).toMatch(/Service not defined/);
  });
});

describe('the net.ipv4.vs sysctl form', () => {
  it('builds sysctl -w net.ipv4.vs.KEY=VALUE, which the host keeps', () => {
    const cmd = ipvsSysctlCommand('conntrack', '1');
    expect(cmd).toBe('sysctl -w net.ipv4.vs.conntrack=1');
    const c = apply(labCase(), cmd);
    expect(director(c).ipvsSysctls).toEqual([{ key: 'net.ipv4.vs.conntrack', value: '1', defaultValue: '0' }]);
  });

  it('is refused for a setting the kernel does not have', () => {
    expect(applyEdit(labCase(), 'director', ipvsSysctlCommand('no_such_thing', '1'), 'command').ok).toBe(false);
  });
});
