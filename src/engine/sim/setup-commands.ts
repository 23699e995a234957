// pattern: Functional Core
// One setup command of a case run in a host: iptables, iptables-restore,
// ip, sysctl or ipvsadm, with the side effects the kernel ties to them
// (a route cache flush, conntrack reading its sysctls, connbytes turning
// accounting on).

import * as fib from '../net/fib';
import * as sysctl from '../net/sysctl';
import { applyBridgeVlanCommand } from '../net/bridge-vlan';
import { applyTcCommand } from '../tc/tc';
import { applyIpvsadm, parseIpvsadm } from '../ipvs/ipvsadm';
import type { Diagnostic } from '../text/diagnostics';
import type { SetupCommand } from '../scenario/types';
import { syncConntrackSysctl } from './conntrack-adapter';
import * as ipt from './iptables-adapter';
import type { Host } from './host';

/**
 * connbytes_mt_check switches conntrack accounting on for the namespace
 * (nf_ct_set_acct): net.netfilter.nf_conntrack_acct reads 1 from then on,
 * even after the rule is gone, and connections begun since count packets.
 */
function connbytesForcesAcct(host: Host): void {
  const key = 'net.netfilter.nf_conntrack_acct';
  if (host.net.sysctl[key] === '1' || !ipt.usesMatch(host.rules, 'connbytes')) return;
  host.net.sysctl[key] = '1';
  syncConntrackSysctl(host);
}

/** Run one setup command of a case in a host. */
export function applySetupCommand(host: Host, cmd: SetupCommand, _rtTables: Record<string, number>): Diagnostic[] {
  if (typeof cmd !== 'string') {
    const d = ipt.applyRestore(host.rules, cmd['iptables-restore'], cmd.noflush === true);
    connbytesForcesAcct(host);
    return d;
  }
  const trimmed = cmd.trimStart();
  if (trimmed.startsWith('ipvsadm')) return applyIpvsadmCommand(host, cmd);
  if (trimmed.startsWith('iptables')) {
    const d = ipt.applyCommand(host.rules, cmd);
    connbytesForcesAcct(host);
    return d;
  }
  // rt_cache_flush: routing, address, link and sysctl changes invalidate the cached routes
  if (trimmed.startsWith('ip ') || trimmed === 'ip') {
    fib.flushRouteCache(host.net);
    return ipt.applyIp(host.net, cmd);
  }
  if (trimmed.startsWith('bridge ') || trimmed === 'bridge') {
    fib.flushRouteCache(host.net);
    return applyBridgeVlanCommand(host.net, cmd);
  }
  if (trimmed.startsWith('tc ') || trimmed === 'tc') return applyTcCommand(host.net, cmd);
  if (trimmed.startsWith('sysctl')) {
    fib.flushRouteCache(host.net);
    const vs = /^sysctl\s+(?:-q\s+)?-w\s+net[./]ipv4[./]vs[./]([a-z_]+)=(\d+)\s*$/.exec(trimmed);
    if (vs) {
      const key = vs[1] as keyof typeof host.ipvs.sysctl;
      if (!(key in host.ipvs.sysctl)) return [{ from: 0, to: cmd.length, severity: 'error', message: `sysctl: cannot stat /proc/sys/net/ipv4/vs/${vs[1]}: No such file or directory`, source: 'sysctl', code: 'sysctl/unknown-key' }];
      host.ipvs.sysctl[key] = Number(vs[2]);
      return [];
    }
    const p = sysctl.parseSysctl(cmd);
    if (!p.value) return p.diagnostics;
    const d = [...p.diagnostics, ...sysctl.applySysctl(host.net, p.value)];
    syncConntrackSysctl(host);
    return d;
  }
  return [{ from: 0, to: cmd.length, severity: 'error', message: `unknown command: ${cmd.split(' ')[0]}`, source: 'case', code: 'case/unknown-program', expected: 'ip, iptables, sysctl, tc' }];
}

/** ipvsadm in a host's setup or console: the command's own error text, positioned. */
function applyIpvsadmCommand(host: Host, cmd: string): Diagnostic[] {
  const p = parseIpvsadm(cmd);
  if (!p.value || p.diagnostics.some((d) => d.severity === 'error')) return p.diagnostics;
  const r = applyIpvsadm(host.ipvs, p.value, host.world.nowMs);
  if (r.status !== 0) return [{ from: 0, to: cmd.length, severity: 'error', message: r.stderr.trim() || `ipvsadm exited with status ${r.status}`, source: 'ipvsadm', code: 'ipvsadm/failed' }];
  return p.diagnostics;
}
