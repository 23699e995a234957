// pattern: Imperative Shell
import { describe, expect, it } from 'vitest';
import { createTraceNormalizer, normalizeLineText } from './normalize';

describe('createTraceNormalizer (FORMAT.md §2.3)', () => {
  it('renumbers IP ids by first appearance and keeps 0', () => {
    const n = createTraceNormalizer();
    expect([n.ipid(51234), n.ipid(0), n.ipid(777), n.ipid(51234), n.ipid(9)]).toEqual([1, 0, 2, 1, 3]);
  });
  it('makes SEQ/ACK relative to the nearest ISN below, within 64 KiB (case 12: crafted SYN,ACK seq 5000)', () => {
    const n = createTraceNormalizer();
    n.addIsn(0);
    n.addIsn(5000);
    expect([n.seq(5000), n.seq(7000), n.seq(9000), n.seq(13)]).toEqual([0, 2000, 4000, 13]);
  });
  it('leaves values far from every ISN alone and wraps around 2^32', () => {
    const n = createTraceNormalizer();
    n.addIsn(0xfffffff0);
    expect(n.seq(5)).toBe(21);
    expect(n.seq(0x12345678)).toBe(0x12345678);
  });
});

describe('normalizeLineText', () => {
  it('renumbers IP ids (not ICMP echo ids), relativises SEQ/ACK, zeroes timestamps', () => {
    const n = createTraceNormalizer();
    n.addIsn(123456789);
    const line =
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=4242 DF PROTO=TCP SPT=40001 DPT=22 SEQ=123456790 ACK=987654321 WINDOW=63 RES=0x00 ACK URGP=0 OPT (0101080A1234567800ABCDEF)';
    expect(normalizeLineText(line, n)).toBe(
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40001 DPT=22 SEQ=1 ACK=987654321 WINDOW=63 RES=0x00 ACK URGP=0 OPT (0101080A0000000000000000)',
    );
    expect(normalizeLineText('SRC=1.1.1.1 DST=2.2.2.2 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=77 PROTO=ICMP TYPE=8 CODE=0 ID=1001 SEQ=1', n)).toBe(
      'SRC=1.1.1.1 DST=2.2.2.2 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=2 PROTO=ICMP TYPE=8 CODE=0 ID=1001 SEQ=1',
    );
  });
  it("keeps a socket's SEQ/ACK as they are: a crafted ISN below them is another connection's (case r14)", () => {
    const n = createTraceNormalizer();
    n.addIsn(0);
    n.addIsn(1000);
    const line = 'SPT=80 DPT=40002 SEQ=1 ACK=1501 WINDOW=67 RES=0x00 ACK URGP=0 ';
    expect(normalizeLineText(line, n, 'socket')).toBe(line);
    // a hand-made packet's numbers relate to the nearest ISN of the case
    expect(normalizeLineText(line, n, 'crafted')).toBe('SPT=80 DPT=40002 SEQ=1 ACK=501 WINDOW=67 RES=0x00 ACK URGP=0 ');
  });
  it('reaches the id of a garbage quote (case 44: ID=24864 → next number)', () => {
    const n = createTraceNormalizer();
    expect(normalizeLineText('[SRC=111.102.32.97 DST=110.121.116.104 LEN=29728 TOS=0x0E PREC=0x60 TTL=111 ID=24864 DF MF FRAG:4469 TRUNCATED]', n)).toContain(' ID=1 DF MF ');
  });
});
