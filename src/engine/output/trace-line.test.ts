// pattern: Imperative Shell
// The formatter against the real kernel: every TRACE line and every LOG line
// the oracle recorded (shared/oracle/cases/*.kernel.json, copied into
// __fixtures__) must come out byte for byte from its parsed fields, and a few
// lines are rebuilt by hand from the packet the engine would hold.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_SYN, type Packet } from '../net/packet';
import { parseLogLine, parseTraceLine } from './parse-trace-line';
import { formatLogLine, formatTraceLine, LOOPBACK_MAC_HEADER, type TraceLineInput } from './trace-line';

function fixture(name: string): Map<string, string[]> {
  const text = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'latin1');
  const byCase = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) byCase.set(line.slice(3), (current = []));
    else if (line !== '' && !line.startsWith('#')) current.push(line);
  }
  return byCase;
}

const ip = (s: string): number => parseIpv4(s)!;

describe('formatTraceLine reproduces every kernel TRACE line', () => {
  const cases = fixture('kernel-trace-lines.txt');
  it('has the 53 public cases', () => {
    expect(cases.size).toBe(53);
    expect([...cases.values()].reduce((n, l) => n + l.length, 0)).toBeGreaterThan(4000);
  });
  for (const [name, lines] of cases) {
    it(name, () => {
      const wrong: string[] = [];
      for (const line of lines) {
        const parsed = parseTraceLine(line);
        const again = parsed ? formatTraceLine(parsed) : '(unparsed)';
        if (again !== line) wrong.push(`kernel: ${line}\nours:   ${again}`);
      }
      expect(wrong.slice(0, 3).join('\n')).toBe('');
    });
  }
});

describe('formatLogLine reproduces every kernel LOG line', () => {
  for (const [name, lines] of fixture('kernel-log-lines.txt')) {
    it(name, () => {
      for (const line of lines) {
        const parsed = parseLogLine(line);
        expect(parsed).not.toBeNull();
        // the cases' LOG rules use no --log-tcp-sequence/--log-tcp-options/--log-uid
        expect(formatLogLine(parsed!.prefix, {}, parsed!.input)).toBe(line);
      }
    });
  }
});

/** case 01, packet 1: the client's SYN at raw OUTPUT */
function syn(): Packet {
  return {
    src: ip('10.0.0.2'),
    dst: ip('10.0.0.1'),
    proto: IPPROTO_TCP,
    ttl: 64,
    tos: 0,
    len: 60,
    ipid: 1,
    df: true,
    mark: 0,
    sport: 40001,
    dport: 22,
    tcp: { seq: 0, ack: 0, flags: TCP_SYN, window: 64240, urgp: 0, options: '020405B40402080A00000000000000000103030A' },
    payload: '',
  };
}

function at(packet: Packet, over: Partial<TraceLineInput> = {}): TraceLineInput {
  return {
    table: 'raw',
    chain: 'OUTPUT',
    type: 'policy',
    rulenum: 1,
    inIface: null,
    outIface: 'eth0',
    physIn: null,
    physOut: null,
    macHeader: null,
    packet,
    mark: 0,
    uid: null,
    gid: null,
    ...over,
  };
}

describe('TRACE line layout (built from engine packets, not parsed)', () => {
  it('a locally generated SYN: no MAC, SEQ/ACK and OPT, UID at the end (case 01)', () => {
    expect(formatTraceLine(at(syn(), { uid: 0, gid: 0 }))).toBe(
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40001 DPT=22 SEQ=0 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 OPT (020405B40402080A00000000000000000103030A) UID=0 GID=0',
    );
  });

  it('an incoming packet prints MAC= as dst:src:type (case 01)', () => {
    const line = formatTraceLine(
      at(syn(), {
        chain: 'PREROUTING',
        inIface: 'eth0',
        outIface: null,
        macHeader: { src: '02:00:00:00:01:01', dst: '02:00:00:00:02:01', ethertype: 0x0800 },
      }),
    );
    expect(line).toContain(' IN=eth0 OUT= MAC=02:00:00:00:02:01:02:00:00:00:01:01:08:00 SRC=10.0.0.2 ');
  });

  it('lo has an all-zero Ethernet header (case 14)', () => {
    expect(formatTraceLine(at(syn(), { inIface: 'lo', outIface: null, macHeader: LOOPBACK_MAC_HEADER }))).toContain(
      'IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=',
    );
  });

  it('a device without link-layer header prints an empty MAC=', () => {
    expect(formatTraceLine(at(syn(), { inIface: 'tun0', outIface: null }))).toContain('IN=tun0 OUT= MAC= SRC=');
  });

  it('MARK comes after UID/GID, in lowercase hex (cases 29, 42)', () => {
    expect(formatTraceLine(at(syn(), { uid: 0, gid: 0, mark: 0x1a }))).toMatch(/ UID=0 GID=0 MARK=0x1a$/);
  });

  it('bridged packets name the ports; POSTROUTING has no IN= but keeps PHYSIN= (case 53)', () => {
    const line = formatTraceLine(at(syn(), { chain: 'POSTROUTING', inIface: null, outIface: 'br0', physIn: 'eth0', physOut: 'eth1' }));
    expect(line).toContain('IN= OUT=br0 PHYSIN=eth0 PHYSOUT=eth1 SRC=');
  });

  it('flags print in the kernel order CWR ECE URG ACK PSH RST SYN FIN (cases 01, 46)', () => {
    const p = syn();
    p.tcp!.flags = TCP_ACK | TCP_SYN;
    expect(formatTraceLine(at(p))).toContain(' RES=0x00 ACK SYN URGP=0 ');
    p.tcp!.flags = 0x29; // FIN PSH URG
    p.tcp!.options = '';
    expect(formatTraceLine(at(p))).toMatch(/ RES=0x00 URG PSH FIN URGP=0$/);
  });

  it('an ICMP error quotes its packet inside [ ] with a space before ] (case 02)', () => {
    const udp: Packet = {
      src: ip('10.0.0.2'), dst: ip('10.0.0.1'), proto: IPPROTO_UDP, ttl: 64, tos: 0, len: 33, ipid: 2, df: true, mark: 0,
      sport: 40002, dport: 53, payload: 'hello',
    };
    const err: Packet = {
      src: ip('10.0.0.1'), dst: ip('10.0.0.2'), proto: IPPROTO_ICMP, ttl: 64, tos: 0xc0, len: 61, ipid: 3, df: false, mark: 0,
      icmp: { type: 3, code: 3, inner: udp }, payload: '',
    };
    expect(formatTraceLine(at(err))).toBe(
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=61 TOS=0x00 PREC=0xC0 TTL=64 ID=3 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.2 DST=10.0.0.1 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=2 DF PROTO=UDP SPT=40002 DPT=53 LEN=13 ]',
    );
  });

  it('a quote cut short prints INCOMPLETE inside the brackets', () => {
    const inner = syn();
    const err: Packet = {
      src: ip('10.0.0.1'), dst: ip('10.0.0.2'), proto: IPPROTO_ICMP, ttl: 64, tos: 0xc0, len: 56, ipid: 3, df: false, mark: 0,
      icmp: { type: 3, code: 1, inner }, payload: '',
    };
    expect(formatTraceLine(at(err))).toContain('PROTO=TCP INCOMPLETE [8 bytes] ]');
  });

  it('a hand-made ICMP error whose quote is text decodes the text as a header (case 44)', () => {
    const err: Packet = {
      src: ip('198.51.100.20'), dst: ip('192.168.1.10'), proto: IPPROTO_ICMP, ttl: 64, tos: 0, len: 56, ipid: 3, df: true, mark: 0,
      icmp: { type: 3, code: 3, id: 1002, seq: 1 }, payload: 'not a quote of anything real',
    };
    expect(formatTraceLine(at(err, { uid: 0, gid: 0 }))).toMatch(
      /PROTO=ICMP TYPE=3 CODE=3 \[SRC=111\.102\.32\.97 DST=110\.121\.116\.104 LEN=29728 TOS=0x0E PREC=0x60 TTL=111 ID=24864 DF MF FRAG:4469 TRUNCATED\] UID=0 GID=0$/,
    );
  });

  it('an ICMP error too short for its quote is INCOMPLETE without brackets', () => {
    const err: Packet = {
      src: ip('10.0.0.1'), dst: ip('10.0.0.2'), proto: IPPROTO_ICMP, ttl: 64, tos: 0, len: 28, ipid: 1, df: false, mark: 0,
      icmp: { type: 11, code: 0 }, payload: '',
    };
    expect(formatTraceLine(at(err))).toMatch(/TYPE=11 CODE=0 INCOMPLETE \[8 bytes\]$/);
  });

  it('redirects print GATEWAY= before the quote (case 51)', () => {
    const inner = syn();
    const err: Packet = {
      src: ip('192.168.5.1'), dst: ip('192.168.5.50'), proto: IPPROTO_ICMP, ttl: 64, tos: 0xc0, len: 88, ipid: 2, df: false, mark: 0,
      icmp: { type: 5, code: 1, gateway: ip('192.168.5.2'), inner }, payload: '',
    };
    expect(formatTraceLine(at(err))).toContain('TYPE=5 CODE=1 GATEWAY=192.168.5.2 [SRC=10.0.0.2 ');
  });
});

describe('LOG line flags', () => {
  const input = at(syn(), { uid: 0, gid: 0 });
  it('prints no SEQ/ACK, no OPT and no UID unless asked (case 07)', () => {
    expect(formatLogLine('NFO-TELNET: ', {}, input)).toBe(
      'NFO-TELNET: IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40001 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0',
    );
  });
  it('--log-tcp-sequence --log-tcp-options --log-uid add them back', () => {
    expect(formatLogLine('X ', { tcpSequence: true, tcpOptions: true, uid: true }, input)).toBe(
      formatTraceLine(input).replace('TRACE: raw:OUTPUT:policy:1 ', 'X '),
    );
  });
  it('--log-macdecode splits the Ethernet header', () => {
    const line = formatLogLine('X ', { macDecode: true }, {
      ...input,
      inIface: 'eth0',
      macHeader: { src: '02:00:00:00:01:01', dst: '02:00:00:00:02:01', ethertype: 0x0800 },
    });
    expect(line).toContain(' MACSRC=02:00:00:00:01:01 MACDST=02:00:00:00:02:01 MACPROTO=0800 SRC=');
  });
  it('MARK is printed even without flags', () => {
    expect(formatLogLine('X ', {}, { ...input, mark: 1 })).toMatch(/URGP=0 MARK=0x1$/);
  });
});
