// Every form builds the command a user would type, and the engine accepts
// it on the built-in scenario: each builder's output is run through the
// same applyEdit the worker uses.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdit, exportText } from '../../engine/edit/scenario-edit';
import {
  chainCommand,
  deleteRuleCommand,
  emptyIpRuleForm,
  emptyRouteForm,
  emptyRuleForm,
  fieldOf,
  ipAddrCommand,
  ipLinkCommand,
  ipRouteCommand,
  ipRouteDeleteCommand,
  ipRuleCommand,
  ipRuleDeleteCommand,
  moveRuleCommands,
  ROUTE_TYPES,
  ruleCommand,
  ruleCommandSpans,
  shellWord,
  sysctlCommand,
  type RuleForm,
} from './builders';
import { takesArg as catalogTakesArg } from './describe';
import { extensionCatalog } from '../../engine/iptables/catalog';
import { Lab } from '../../engine/lab/lab';
import { chainPage, hostConfigView, type HostConfigView } from '../../engine/lab/views';

const base = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8')) as Record<string, unknown>;

/** Apply commands in order on `host`; the final scenario, or the first rejection's message. */
function run(cmds: string[], host = 'router', from: unknown = base): Record<string, unknown> {
  let s = from;
  for (const c of cmds) {
    const r = applyEdit(s, host, c, 'command');
    if (!r.ok) throw new Error(`${c}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    s = r.scenario;
  }
  return s as Record<string, unknown>;
}

const catalog = extensionCatalog();
const takesArg = (ext: string, opt: string) => catalogTakesArg(catalog, ext, opt);

function lab(s: unknown): Lab {
  const o = Lab.open(s);
  if (!o.ok) throw new Error(o.errors.join('; '));
  return o.lab;
}

/** The words after `-A CHAIN` of each rule of a chain, as the rule list has them (the lab's chain page). */
function rules(s: unknown, chain: string, host = 'router'): string[] {
  return chainPage(lab(s).config(host)!, 'filter', chain, 0, 1000, null)!.rules.map((r) => r.spec);
}

/** What the forms list of a host: the lab's host view. */
function hostView(s: unknown, host = 'router'): HostConfigView {
  return hostConfigView(host, lab(s).config(host)!);
}

function save(s: unknown, host = 'router'): string {
  const t = exportText(s, host, 'iptables-save');
  if (!t.ok) throw new Error('export failed');
  return t.text;
}

describe('shell words', () => {
  it('quotes only what a shell would split or expand', () => {
    expect(shellWord('192.168.1.100:80')).toBe('192.168.1.100:80');
    expect(shellWord('web ports')).toBe('"web ports"');
    expect(shellWord('say "hi" $HOME')).toBe('"say \\"hi\\" \\$HOME"');
    expect(shellWord('')).toBe('""');
  });
});

describe('the iptables rule form', () => {
  const drop: RuleForm = { ...emptyRuleForm('filter', 'FORWARD'), position: 'insert', rulenum: '1', proto: 'tcp', matches: [{ name: 'tcp', options: [{ name: 'dport', arg: '8080', invert: false }] }], target: 'DROP' };

  it('builds the command one would type, and the engine inserts the rule', () => {
    const cmd = ruleCommand(drop, takesArg);
    expect(cmd).toBe('iptables -I FORWARD 1 -p tcp -m tcp --dport 8080 -j DROP');
    expect(save(run([cmd]))).toContain(':OUTPUT ACCEPT [0:0]\n-A FORWARD -p tcp -m tcp --dport 8080 -j DROP\n');
  });

  it('writes the table, negations, interfaces, several matches and target options', () => {
    const f: RuleForm = {
      ...emptyRuleForm('nat', 'PREROUTING'),
      proto: 'tcp',
      src: '10.0.0.0/8',
      srcInvert: true,
      dst: '203.0.113.1',
      inIface: 'eth0',
      matches: [
        { name: 'tcp', options: [{ name: 'dport', arg: '8443', invert: false }, { name: 'tcp-flags', arg: 'SYN,ACK', arg2: 'SYN', invert: false }] },
        { name: 'comment', options: [{ name: 'comment', arg: 'web ports', invert: false }] },
        { name: 'conntrack', options: [{ name: 'ctstate', arg: 'NEW', invert: true }] },
      ],
      target: 'DNAT',
      targetOptions: [{ name: 'to-destination', arg: '192.168.1.100:443', invert: false }],
    };
    const cmd = ruleCommand(f, takesArg);
    expect(cmd).toBe(
      'iptables -t nat -A PREROUTING -p tcp ! -s 10.0.0.0/8 -d 203.0.113.1 -i eth0 -m tcp --dport 8443 --tcp-flags SYN,ACK SYN -m comment --comment "web ports" -m conntrack ! --ctstate NEW -j DNAT --to-destination 192.168.1.100:443',
    );
    expect(save(run([cmd]))).toContain('-A PREROUTING ! -s 10.0.0.0/8 -d 203.0.113.1/32 -i eth0 -p tcp -m tcp --dport 8443 --tcp-flags SYN,ACK SYN -m comment --comment "web ports" -m conntrack ! --ctstate NEW -j DNAT --to-destination 192.168.1.100:443');
  });

  it('writes flags without arguments and a goto', () => {
    const s = run([chainCommand('new', 'filter', 'LOGDROP')]);
    const f: RuleForm = { ...emptyRuleForm('filter', 'INPUT'), matches: [{ name: 'addrtype', options: [{ name: 'dst-type', arg: 'LOCAL', invert: false }, { name: 'limit-iface-in', arg: '', invert: false }] }], jump: 'goto', target: 'LOGDROP' };
    const cmd = ruleCommand(f, takesArg);
    expect(cmd).toBe('iptables -A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -g LOGDROP');
    run([cmd], 'router', s);
    const log: RuleForm = { ...emptyRuleForm('filter', 'LOGDROP'), target: 'LOG', targetOptions: [{ name: 'log-prefix', arg: 'dropped: ', invert: false }, { name: 'log-uid', arg: '', invert: false }] };
    expect(ruleCommand(log, takesArg)).toBe('iptables -A LOGDROP -j LOG --log-prefix "dropped: " --log-uid');
    run([ruleCommand(log, takesArg)], 'router', s);
  });

  it('lets the engine reject what the kernel would, with its message', () => {
    const bad = ruleCommand({ ...emptyRuleForm('nat', 'POSTROUTING'), target: 'DNAT', targetOptions: [{ name: 'to-destination', arg: '1.2.3.4', invert: false }] }, takesArg);
    const r = applyEdit(base, 'router', bad, 'command');
    expect(r.ok).toBe(false);
  });
});

describe('a port match in one action', () => {
  const web: RuleForm = { ...emptyRuleForm('filter', 'FORWARD'), proto: 'tcp', dport: '80', target: 'ACCEPT' };

  it('writes the ports after -p as one types them, and iptables implies the protocol’s match', () => {
    expect(ruleCommand(web, takesArg)).toBe('iptables -A FORWARD -p tcp --dport 80 -j ACCEPT');
    expect(ruleCommand({ ...web, proto: 'udp', sport: '53', sportInvert: true, dport: '1024:65535' }, takesArg)).toBe('iptables -A FORWARD -p udp ! --sport 53 --dport 1024:65535 -j ACCEPT');
    const s = run([ruleCommand(web, takesArg)]);
    expect(rules(s, 'FORWARD')).toContain('-p tcp -m tcp --dport 80 -j ACCEPT');
  });

  it('puts the ports into the protocol’s match when it was added by hand too, and leaves them out where no match has ports', () => {
    const both = { ...web, matches: [{ name: 'tcp', options: [{ name: 'syn', arg: '', invert: false }] }] };
    expect(ruleCommand(both, takesArg)).toBe('iptables -A FORWARD -p tcp -m tcp --dport 80 --syn -j ACCEPT');
    run([ruleCommand(both, takesArg)]);
    expect(ruleCommand({ ...web, proto: 'icmp' }, takesArg)).toBe('iptables -A FORWARD -p icmp -j ACCEPT');
    expect(ruleCommand({ ...web, protoInvert: true }, takesArg)).toBe('iptables -A FORWARD ! -p tcp -j ACCEPT');
  });

  it('knows which field each word came from, so the engine’s error lands on the field', () => {
    const bad = { ...web, src: '10.0.0.0/8', dport: '99999' };
    const { command, spans } = ruleCommandSpans(bad, takesArg);
    expect(command).toBe('iptables -A FORWARD -p tcp -s 10.0.0.0/8 --dport 99999 -j ACCEPT');
    expect(spans.find((x) => x.field === 'dport')).toEqual({ field: 'dport', from: command.indexOf('--dport'), to: command.indexOf(' -j') });
    const r = applyEdit(base, 'router', command, 'command');
    if (r.ok) throw new Error('the engine took port 99999');
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(fieldOf(spans, errors[0]!)).toBe('dport');
    // a diagnostic about the whole command is no field's
    expect(fieldOf(spans, { from: 0, to: command.length })).toBeNull();
  });
});

describe('chain commands', () => {
  it('creates, renames, flushes, zeroes, sets the policy of and deletes a chain', () => {
    const cmds = [
      chainCommand('new', 'mangle', 'MARKS'),
      chainCommand('rename', 'mangle', 'MARKS', 'MARKING'),
      chainCommand('flush', 'mangle', 'MARKING'),
      chainCommand('zero', 'mangle', 'MARKING'),
      chainCommand('policy', 'filter', 'INPUT', 'DROP'),
    ];
    expect(cmds).toEqual(['iptables -t mangle -N MARKS', 'iptables -t mangle -E MARKS MARKING', 'iptables -t mangle -F MARKING', 'iptables -t mangle -Z MARKING', 'iptables -P INPUT DROP']);
    const s = run(cmds);
    expect(save(s)).toContain(':MARKING - [0:0]');
    expect(save(s)).toContain(':INPUT DROP [0:0]');
    expect(save(run([chainCommand('delete', 'mangle', 'MARKING')], 'router', s))).not.toContain('MARKING');
  });

  it('deletes a rule and moves one by delete + insert, as by hand', () => {
    const before = rules(base, 'FORWARD');
    const moved = moveRuleCommands('filter', 'FORWARD', 1, 3, before[0]!);
    expect(moved).toEqual(['iptables -D FORWARD 1', `iptables -I FORWARD 3 ${before[0]}`]);
    const after = rules(run(moved), 'FORWARD');
    expect(after).toEqual([before[1], before[2], before[0]]);
    expect(moveRuleCommands('filter', 'FORWARD', 2, 2, 'x')).toEqual([]);
    const fewer = rules(run([deleteRuleCommand('filter', 'FORWARD', 2)]), 'FORWARD');
    expect(fewer).toEqual([before[0], before[2]]);
  });
});

describe('ip and sysctl forms', () => {
  it('adds and deletes addresses and sets links up, down and their mtu', () => {
    const cmds = [
      ipAddrCommand({ op: 'add', address: '10.9.9.1/24', dev: 'eth1' }),
      ipAddrCommand({ op: 'add', address: '10.9.8.1/24', dev: 'eth1', broadcast: '10.9.8.255', scope: 'link' }),
      ipAddrCommand({ op: 'del', address: '10.9.9.1/24', dev: 'eth1' }),
      ipLinkCommand({ dev: 'eth1', state: 'down', mtu: '1400' }),
      ipLinkCommand({ dev: 'eth1', state: 'up', mtu: '' }),
    ];
    expect(cmds[0]).toBe('ip addr add 10.9.9.1/24 dev eth1');
    expect(cmds[3]).toBe('ip link set dev eth1 down mtu 1400');
    const s = run(cmds);
    const setup = JSON.stringify(s);
    expect(setup).toContain('ip addr add 10.9.8.1/24 brd 10.9.8.255 scope link dev eth1');
    expect(setup).not.toContain('10.9.9.1');
    expect(setup).toContain('mtu 1400');
  });

  it('adds a route of every type, in the main table, a numbered table and a named one', () => {
    const withName = { ...base, rt_tables: { isp2: 100 } };
    const cmds = ROUTE_TYPES.map((type, i) =>
      ipRouteCommand({ ...emptyRouteForm(), type, dst: type === 'local' ? `10.50.${i}.1` : `10.50.${i}.0/24`, via: '192.168.1.100', dev: type === 'local' ? 'eth1' : '', src: '', metric: String(i + 1), table: type === 'throw' ? 'isp2' : type === 'local' ? 'local' : i % 2 ? '100' : '' }),
    );
    expect(cmds[0]).toBe('ip route add 10.50.0.0/24 via 192.168.1.100 metric 1');
    expect(cmds[1]).toBe('ip route add blackhole 10.50.1.0/24 metric 2 table 100');
    const s = run([...cmds, ipRouteCommand({ ...emptyRouteForm(), dst: '10.60.0.0/16', via: '192.168.1.100', dev: 'eth1', src: '192.168.1.1' })], 'router', withName);
    const all = exportText(s, 'router', 'ip-route-all');
    expect(all.ok && all.text).toContain('blackhole 10.50.1.0/24 table isp2 metric 2');
    expect(all.ok && all.text).toContain('throw 10.50.5.0/24 table isp2 metric 6');
    expect(all.ok && all.text).toContain('10.60.0.0/16 via 192.168.1.100 dev eth1 src 192.168.1.1');
    // and the routes the host view lists can be deleted by their own words
    const route = hostView(s).routes.find((r) => r.type === 'unreachable')!;
    const gone = exportText(run([ipRouteDeleteCommand(route.text)!], 'router', s), 'router', 'ip-route-all');
    expect(gone.ok && gone.text).not.toContain('unreachable');
  });

  it('adds an ip rule with every selector, and deletes a rule by its `ip rule show` line', () => {
    const cmd = ipRuleCommand({ ...emptyIpRuleForm(), priority: '100', from: '10.0.0.0/8', to: '1.2.3.0/24', iif: 'eth0', oif: 'eth1', fwmark: '0x1', mask: '0xff', tos: '0x10', ipproto: 'tcp', sport: '1000', dport: '80', action: 'lookup', table: '100' });
    expect(cmd).toBe('ip rule add priority 100 from 10.0.0.0/8 to 1.2.3.0/24 iif eth0 oif eth1 fwmark 0x1/0xff tos 0x10 ipproto tcp sport 1000 dport 80 lookup 100');
    const s = run([cmd, ipRuleCommand({ ...emptyIpRuleForm(), priority: '200', not: true, from: '192.168.0.0/16', action: 'blackhole' })]);
    const rules = hostView(s).fibRules;
    expect(rules).toHaveLength(5);
    const main = rules.find((r) => r.selector.includes('lookup main'))!;
    expect(ipRuleDeleteCommand(main.priority, main.selector)).toBe('ip rule del priority 32766 from all lookup main');
    const after = exportText(run([ipRuleDeleteCommand(main.priority, main.selector)], 'router', s), 'router', 'ip-rule');
    expect(after.ok && after.text).not.toContain('lookup main');
  });

  it('writes sysctls, global and per interface', () => {
    const s = run([sysctlCommand('net.ipv4.conf.eth0.rp_filter', '1'), sysctlCommand('net.netfilter.nf_conntrack_tcp_loose', '0'), sysctlCommand('net.ipv4.conf.all.send_redirects', '0')]);
    const text = JSON.stringify(s);
    expect(text).toContain('sysctl -w net.ipv4.conf.eth0.rp_filter=1');
    expect(text).toContain('sysctl -w net.netfilter.nf_conntrack_tcp_loose=0');
  });
});
