// ipvsadm 1.31: command parsing with its own messages and spans, and the
// exact bytes of -L/-S output (SPEC.md §9).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import { applyIpvsadm, parseIpvsadm, restoreIpvsadm, TRY_HELP } from './ipvsadm';
import { formatConnections, formatList, formatSave } from './ipvsadm-print';
import { ipvsIn } from './conn';
import { createIpvsState, findDest } from './state';
import type { IpvsState } from './types';

function run(st: IpvsState, line: string, now = 0) {
  const p = parseIpvsadm(line);
  if (!p.value) return { stdout: '', stderr: `${p.diagnostics[0]?.message}\n`, status: 2 };
  return applyIpvsadm(st, p.value, now);
}

function setup(...lines: string[]): IpvsState {
  const st = createIpvsState();
  for (const l of lines) {
    const r = run(st, l);
    if (r.status !== 0) throw new Error(`${l}: ${r.stderr}`);
  }
  return st;
}

function error(line: string): { message: string; text: string } {
  const p = parseIpvsadm(line);
  expect(p.value).toBeNull();
  const d = p.diagnostics.find((x) => x.severity === 'error')!;
  return { message: d.message, text: line.slice(d.from, d.to) };
}

describe('ipvsadm parsing', () => {
  it('reads a service with its defaults: wlc, persistence 360, /32', () => {
    const c = parseIpvsadm('ipvsadm -A -t 10.0.0.100:80 -p').value!;
    expect(c.command).toBe('add-service');
    expect(c.service).toEqual({ protocol: 'tcp', addr: parseIpv4('10.0.0.100'), port: 80 });
    expect(c.scheduler).toBe('wlc');
    expect(c.timeout).toBe(360);
    expect(c.netmask).toBe(0xffffffff);
  });

  it('reads a server with its defaults: weight 1, gatewaying, the service port', () => {
    const c = parseIpvsadm('-a -t 10.0.0.100:80 -r 192.168.1.2').value!;
    expect(c.server).toEqual({ addr: parseIpv4('192.168.1.2'), port: 80 });
    expect(c.dest.weight).toBe(1);
    expect(c.dest.method).toBe('route');
  });

  it('forces the service port for -g and -i, but lets -m map ports', () => {
    expect(parseIpvsadm('-a -t 10.0.0.100:80 -r 192.168.1.2:8080 -g').value!.server!.port).toBe(80);
    expect(parseIpvsadm('-a -t 10.0.0.100:80 -r 192.168.1.2:8080 -i').value!.server!.port).toBe(80);
    expect(parseIpvsadm('-a -t 10.0.0.100:80 -r 192.168.1.2:8080 -m').value!.server!.port).toBe(8080);
  });

  it('accepts bundled short options, attached arguments, long options with = and service names', () => {
    expect(parseIpvsadm('-Lnc').value!.list).toMatchObject({ numeric: true, connection: true });
    const c = parseIpvsadm('-At10.0.0.1:http --scheduler=rr -p600').value!;
    expect(c.service).toMatchObject({ port: 80 });
    expect(c.scheduler).toBe('rr');
    expect(c.timeout).toBe(600);
    expect(parseIpvsadm('--set 900 120 300').value!.timeouts).toEqual([900, 120, 300]);
  });

  it('reads scheduler flags and tunnel options', () => {
    const c = parseIpvsadm('-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port').value!;
    expect(c.svcFlags & 0x18).toBe(0x18);
    const t = parseIpvsadm('-a -f 7 -r 10.51.0.1 -i --tun-type gue --tun-port 6080 --tun-csum').value!;
    expect(t.dest).toMatchObject({ method: 'tunnel', tunType: 'gue', tunPort: 6080, tunCsum: 'csum' });
  });

  const errors: [string, string, string][] = [
    ['-t 10.0.0.1:80 -A', TRY_HELP, '-t'],
    ['-A -t 10.0.0.1:80 -A', 'multiple commands specified', '-A'],
    ['-A -t 10.0.0.1', 'Zero port specified for non-persistent service', '10.0.0.1'],
    ['-A -t 10.0.0.1:80 -o', 'One-Packet Scheduling is only for UDP virtual services', '-A'],
    ['-A -t 10.0.0.300:80', 'illegal virtual server address[:port] specified', '10.0.0.300:80'],
    ['-a -t 10.0.0.1:80 -r 10.1.1:80', 'illegal real server address[:port] specified', '10.1.1:80'],
    ['-a -t 10.0.0.1:80 -r 10.1.1.1 -w 70000', 'illegal weight specified', '70000'],
    ['-a -t 10.0.0.1:80 -r 10.1.1.1 -x -1', 'illegal u_threshold specified', '-1'],
    ['-A -t 10.0.0.1:80 -t 10.0.0.2:80', "multiple 'service-address' options specified", '-t'],
    ['-A -s rr', "You need to supply the 'service-address' option for the 'add-service' command", '-A'],
    ['-A -t 10.0.0.1:80 -w 3', "Illegal 'weight' option with the 'add-service' command", '-A'],
    ['-A -t 10.0.0.1:80 -s rr -b sh-port', "incompatible scheduler flag `sh-port'", 'sh-port'],
    ['-A -t 10.0.0.1:80 -s sh -b sh-port,bogus', "invalid scheduler flag `bogus'", 'bogus'],
    ['--set 900 120', '--set option requires 3 timeout values', '--set'],
    ['-A -t 10.0.0.1:80 -p 0', "invalid timeout value `0' specified", '0'],
    ['-A -f 0', "invalid fwmark value `0' specified", '0'],
    ['-L --bogus', '--bogus: unknown option', '--bogus'],
    ['-a -t 10.0.0.1:80 -r', '-r: missing argument', '-r'],
    ['-L extra', 'unexpected argument extra', 'extra'],
    ['-Lc --stats', 'options conflicts in the list command', '-Lc'],
  ];
  it.each(errors)('%s -> %s', (line, message, text) => {
    const e = error(line);
    expect(e.message).toBe(message);
    expect(e.text).toBe(text);
  });

  it('offsets spans by `base` so a line inside a larger text keeps its position', () => {
    const p = parseIpvsadm('-a -t 10.0.0.1:80 -r 10.1.1:80', 100);
    expect(p.diagnostics[0]!.from).toBe(100 + '-a -t 10.0.0.1:80 -r '.length);
  });
});

describe('applying commands (kernel errors)', () => {
  it('prints the kernel messages libipvs has', () => {
    const st = setup('-A -t 10.0.0.1:80 -s rr', '-a -t 10.0.0.1:80 -r 10.1.1.1 -m');
    expect(run(st, '-A -t 10.0.0.1:80').stderr).toBe('Service already exists\n');
    expect(run(st, '-A -t 10.0.0.2:80 -s nope').stderr).toBe('Scheduler or persistence engine not found\n');
    expect(run(st, '-D -t 10.0.0.2:80').stderr).toBe('No such service\n');
    expect(run(st, '-a -t 10.0.0.2:80 -r 10.1.1.1').stderr).toBe('Service not defined\n');
    expect(run(st, '-a -t 10.0.0.1:80 -r 10.1.1.1 -m').stderr).toBe('Destination already exists\n');
    expect(run(st, '-d -t 10.0.0.1:80 -r 10.1.1.2').stderr).toBe('No such destination\n');
  });

  it('-e sends every field: left-out options go back to their defaults (-g, weight 1, no thresholds)', () => {
    const st = setup('-A -t 10.0.0.1:80 -s rr', '-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 5 -x 10 -y 2');
    run(st, '-e -t 10.0.0.1:80 -r 10.1.1.1:80 -w 3');
    const d = findDest(st, st.services[0]!, parseIpv4('10.1.1.1')!, 80)!;
    expect({ method: d.method, weight: d.weight, u: d.uThreshold, l: d.lThreshold }).toEqual({ method: 'route', weight: 3, u: 0, l: 0 });
  });

  it('-E without -s goes back to wlc and without -p drops persistence', () => {
    const st = setup('-A -t 10.0.0.1:80 -s rr -p 60');
    run(st, '-E -t 10.0.0.1:80');
    expect(formatSave(st, { numeric: true })).toBe('-A -t 10.0.0.1:80 -s wlc\n');
  });

  it('--set changes ESTABLISHED, FIN_WAIT and UDP timeouts; 0 keeps a value', () => {
    const st = setup('--set 0 60 30');
    expect(run(st, '-L --timeout').stdout).toBe('Timeout (tcp tcpfin udp): 900 60 30\n');
  });
});

describe('ipvsadm -L -n layout (SPEC.md §9.2)', () => {
  it('prints the SPEC example byte for byte, trailing spaces included', () => {
    const st = setup('-A -t 10.0.0.100:80 -p -M 255.255.255.0', '-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m');
    const d = findDest(st, st.services[0]!, parseIpv4('192.168.1.2')!, 80)!;
    d.activeConns = 3;
    d.inactConns = 17;
    expect(run(st, '-L -n').stdout).toBe(
      'IP Virtual Server version 1.2.1 (size=4096)\n' +
        'Prot LocalAddress:Port Scheduler Flags\n' +
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n' +
        'TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0\n' +
        '  -> 192.168.1.2:80               Masq    1      3          17        \n',
    );
  });

  it('omits the version line when listing one service', () => {
    const st = setup('-A -u 10.0.0.53:53 -s rr', '-a -u 10.0.0.53:53 -r 10.1.0.1 -m');
    expect(run(st, '-L -n -u 10.0.0.53:53').stdout).toBe(
      'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nUDP  10.0.0.53:53 rr\n  -> 10.1.0.1:53                  Masq    1      0          0         \n',
    );
    expect(run(st, '-L -n -u 10.0.0.54:53')).toMatchObject({ stderr: 'No such service\n', status: 1 });
  });

  it('sorts services by (fwmark, protocol, address, port) with the int32 address quirk, servers by (address, port)', () => {
    const st = setup('-A -f 3 -s rr', '-A -u 10.0.0.1:53 -s rr', '-A -t 192.168.0.1:80 -s rr', '-A -t 10.0.0.1:443 -s rr', '-A -t 10.0.0.1:80 -s rr');
    const lines = formatList(st, { numeric: true }).split('\n').slice(3, -1);
    // 10.x vs 192.x differ by more than 2^31, so their int32 difference is positive: 192.x sorts first
    expect(lines).toEqual(['TCP  192.168.0.1:80 rr', 'TCP  10.0.0.1:80 rr', 'TCP  10.0.0.1:443 rr', 'UDP  10.0.0.1:53 rr', 'FWM  3 rr']);
    const nosort = formatList(st, { numeric: true, nosort: true }).split('\n').slice(3, -1);
    expect(nosort[0]).toBe('FWM  3 rr');
  });

  it('prints service names for ports without -n', () => {
    const st = setup('-A -t 10.0.0.1:80 -s rr', '-a -t 10.0.0.1:80 -r 10.1.0.1:443 -m');
    expect(run(st, '-L').stdout).toContain('TCP  10.0.0.1:http rr\n  -> 10.1.0.1:https ');
  });

  it('--stats, --rate, --thresholds and --persistent-conn use their own columns', () => {
    const st = setup('-A -t 10.0.0.100:80 -s rr', '-a -t 10.0.0.100:80 -r 10.1.0.1:80 -m -x 10 -y 5');
    expect(formatList(st, { numeric: true, stats: true })).toBe(
      'IP Virtual Server version 1.2.1 (size=4096)\n' +
        'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n' +
        '  -> RemoteAddress:Port\n' +
        'TCP  10.0.0.100:80                       0        0        0        0        0\n' +
        '  -> 10.1.0.1:80                         0        0        0        0        0\n',
    );
    expect(formatList(st, { numeric: true, rate: true }).split('\n')[1]).toBe('Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS');
    expect(formatList(st, { numeric: true, thresholds: true }).split('\n').slice(1)).toEqual([
      'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ',
      '  -> RemoteAddress:Port',
      'TCP  10.0.0.100:80 rr',
      '  -> 10.1.0.1:80                  10         5          0          0         ',
      '',
    ]);
    expect(formatList(st, { numeric: true, persistentConn: true }).split('\n')[4]).toBe('  -> 10.1.0.1:80                  1         0           0          0         ');
  });

  it('shows numbers of 10^8 and more with K/M/G suffixes unless --exact', () => {
    const st = setup('-A -t 10.0.0.100:80 -s rr');
    st.services[0]!.stats.inbytes = 123456789012;
    expect(formatList(st, { numeric: true, stats: true }).split('\n')[3]).toBe('TCP  10.0.0.100:80                       0        0        0     123G        0');
    expect(formatList(st, { numeric: true, stats: true, exact: true }).split('\n')[3]).toBe('TCP  10.0.0.100:80                       0        0        0 123456789012        0');
  });
});

describe('ipvsadm -S -n layout (SPEC.md §9.3)', () => {
  const saved = [
    '-A -t 10.0.0.100:80 -s rr -p 360 -M 255.255.255.0',
    '-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m -w 1',
    '-a -t 10.0.0.100:80 -r 192.168.1.3:80 -g -w 2',
    '-A -f 7 -s dh',
    '-a -f 7 -r 10.51.0.1:0 -i -w 1 --tun-type ipip',
    '',
  ].join('\n');

  it('round-trips the SPEC example through ipvsadm -R', () => {
    const st = createIpvsState();
    const r = restoreIpvsadm(st, saved, 0);
    expect(r.status).toBe(0);
    expect(formatSave(st, { numeric: true })).toBe(saved);
  });

  it('does not save thresholds, and saves scheduler flags and GUE tunnels', () => {
    const st = setup('-A -t 10.0.0.1:80 -s mh -b mh-port', '-a -t 10.0.0.1:80 -r 10.1.0.1 -i -x 5 --tun-type gue --tun-port 6080');
    expect(formatSave(st, { numeric: true })).toBe('-A -t 10.0.0.1:80 -s mh -b mh-port\n-a -t 10.0.0.1:80 -r 10.1.0.1:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n');
  });

  it('-R reports a broken line with its offset in the whole text', () => {
    const st = createIpvsState();
    const text = '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.1:80\n';
    const r = restoreIpvsadm(st, text, 0);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('illegal real server address[:port] specified\n');
    const d = r.diagnostics[0]!;
    expect(text.slice(d.from, d.to)).toBe('10.1.1:80');
  });
});

describe('ipvsadm -L -n -c layout (SPEC.md §9.4)', () => {
  it('prints entries, templates and UDP rows with MM:SS left', () => {
    const st = setup('-A -t 10.0.0.100:80 -s rr -p', '-a -t 10.0.0.100:80 -r 10.21.0.2:80 -m', '-A -u 10.0.0.100:53 -s rr', '-a -u 10.0.0.100:53 -r 10.10.0.2:53 -m');
    ipvsIn(st, { protocol: 17, saddr: parseIpv4('172.16.10.1')!, sport: 40000, daddr: parseIpv4('10.0.0.100')!, dport: 53, mark: 0, tcpFlags: 0, len: 60 }, 0);
    ipvsIn(st, { protocol: 6, saddr: parseIpv4('172.20.0.1')!, sport: 40000, daddr: parseIpv4('10.0.0.100')!, dport: 80, mark: 0, tcpFlags: 2, len: 60 }, 8000);
    expect(formatConnections(st, 9000, { numeric: true })).toBe(
      'IPVS connection entries\n' +
        'pro expire state       source             virtual            destination\n' +
        'UDP 04:51  UDP         172.16.10.1:40000  10.0.0.100:53      10.10.0.2:53\n' +
        'TCP 05:59  NONE        172.20.0.1:0       10.0.0.100:80      10.21.0.2:80\n' +
        'TCP 00:59  SYN_RECV    172.20.0.1:40000   10.0.0.100:80      10.21.0.2:80\n',
    );
  });
});

describe('robustness', () => {
  const tokens = ['-A', '-E', '-D', '-C', '-a', '-e', '-d', '-L', '-Ln', '-Lnc', '-S', '-Sn', '-R', '-Z', '--set', '-t', '-u', '-f', '-s', '-p', '-M', '-r', '-g', '-i', '-m', '-w', '-x', '-y', '-b', '-6', '-o', '--tun-type', '--stats', '--rate', '--thresholds', '--persistent-conn', '--timeout', '10.0.0.1:80', '10.0.0.1', '[::1]:80', '300', '0', '-1', 'rr', 'sh', 'mh', 'sh-port,sh-fallback', 'bogus', '255.255.255.0', 'gue', "'a b'", '"', '\\', '--weight=3', '-At', '-w99999'];

  it('never throws on random or mutated command lines, and every diagnostic has a span inside the line', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 12 }), fc.string({ maxLength: 6 }), fc.nat(50), (words, noise, cut) => {
        const base = words.join(' ');
        const line = base.slice(0, cut) + noise + base.slice(cut);
        const p = parseIpvsadm(line, 7);
        for (const d of p.diagnostics) {
          expect(d.from).toBeGreaterThanOrEqual(7);
          expect(d.to).toBeLessThanOrEqual(7 + line.length);
          expect(d.from).toBeLessThanOrEqual(d.to);
          expect(d.message.length).toBeGreaterThan(0);
        }
        if (p.value === null) expect(p.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        else {
          const st = setup('-A -t 10.0.0.1:80 -s rr', '-a -t 10.0.0.1:80 -r 10.1.0.1 -m');
          const r = applyIpvsadm(st, p.value, 0, { stdin: line });
          expect(typeof r.stdout).toBe('string');
        }
      }),
      { numRuns: 400, seed: 42 },
    );
  });
});
