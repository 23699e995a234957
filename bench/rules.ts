// pattern: Functional Core
// Generated rulesets for the benchmarks: a realistic mix (STACK.md §6) of
// destination prefixes in 10/8, optional sources, protocols, ports, port
// ranges, interfaces and match modules, none of which matches the probe
// packet (a TCP SYN from 192.0.2.10 to 203.0.113.1:80), plus a final rule
// that does.

export interface PlainRule {
  src: number;
  srcMask: number;
  dst: number;
  dstMask: number;
  proto: number;
  dportLo: number;
  dportHi: number;
  inIface: string | null;
  outIface: string | null;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ip = (a: number) => `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
const mask = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

export interface Generated {
  /** iptables-restore text of the filter table */
  text: string;
  plain: PlainRule[];
}

/** n rules in filter INPUT; the last one matches the probe. */
export function generateRules(n: number, seed = 42): Generated {
  const r = rng(seed);
  const lines: string[] = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  const plain: PlainRule[] = [];
  for (let i = 0; i < n - 1; i++) {
    const x = r();
    const len = x < 1 / 6 ? 16 : x < 2 / 3 ? 24 : 32;
    const dst = ((10 << 24) | Math.floor(r() * 0xffffff)) & mask(len);
    const parts: string[] = ['-A INPUT'];
    const pr: PlainRule = { src: 0, srcMask: 0, dst: dst >>> 0, dstMask: mask(len), proto: 0, dportLo: 0, dportHi: 65535, inIface: null, outIface: null };
    if (r() < 0.6) {
      const sl = r() < 0.5 ? 24 : 32;
      const src = (((172 << 24) | (16 << 16) | Math.floor(r() * 0xffff)) & mask(sl)) >>> 0;
      parts.push(`-s ${ip(src)}/${sl}`);
      pr.src = src;
      pr.srcMask = mask(sl);
    }
    parts.push(`-d ${ip(dst >>> 0)}/${len}`);
    if (r() < 0.3) {
      const name = `eth${Math.floor(r() * 4)}`;
      parts.push(`-i ${name}`);
      pr.inIface = name;
    }
    const p = r();
    const proto = p < 0.6 ? 'tcp' : p < 0.85 ? 'udp' : p < 0.9 ? 'icmp' : '';
    if (proto) {
      parts.push(`-p ${proto}`);
      pr.proto = proto === 'tcp' ? 6 : proto === 'udp' ? 17 : 1;
    }
    if (proto === 'tcp' || proto === 'udp') {
      const q = r();
      if (q < 0.7) {
        const port = 1 + Math.floor(r() * 65000);
        parts.push(`-m ${proto} --dport ${port}`);
        pr.dportLo = pr.dportHi = port;
      } else if (q < 0.9) {
        const lo = 1 + Math.floor(r() * 60000);
        parts.push(`-m ${proto} --dport ${lo}:${lo + 100}`);
        pr.dportLo = lo;
        pr.dportHi = lo + 100;
      }
      const m = r();
      if (m < 0.15) parts.push('-m conntrack --ctstate NEW');
      else if (m < 0.25) parts.push(`-m comment --comment "rule ${i}"`);
      else if (m < 0.3 && proto === 'tcp') parts.push(`-m multiport --sports ${1000 + (i % 500)},${2000 + (i % 500)}`);
    }
    parts.push(r() < 0.5 ? '-j ACCEPT' : '-j DROP');
    lines.push(parts.join(' '));
    plain.push(pr);
  }
  lines.push('-A INPUT -s 192.0.2.10/32 -d 203.0.113.1/32 -i eth0 -p tcp -m tcp --dport 80 -j DROP');
  plain.push({ src: 0xc000020a, srcMask: 0xffffffff, dst: 0xcb007101, dstMask: 0xffffffff, proto: 6, dportLo: 80, dportHi: 80, inIface: 'eth0', outIface: null });
  lines.push('COMMIT', '');
  return { text: lines.join('\n'), plain };
}

/** The yardstick: a bare first-match loop over plain rule objects. */
export function firstMatch(rules: PlainRule[], src: number, dst: number, proto: number, dport: number, inIface: string): number {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (((src & r.srcMask) >>> 0) !== r.src) continue;
    if (((dst & r.dstMask) >>> 0) !== r.dst) continue;
    if (r.proto !== 0 && r.proto !== proto) continue;
    if (dport < r.dportLo || dport > r.dportHi) continue;
    if (r.inIface !== null && r.inIface !== inIface) continue;
    if (r.outIface !== null) continue;
    return i;
  }
  return -1;
}

/** The yardstick for loading: a bare line splitter (split, split, switch, CIDR → u32). */
export function bareSplit(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) {
    const w = line.split(/\s+/);
    for (let i = 0; i < w.length; i++) {
      switch (w[i]) {
        case '-s':
        case '-d': {
          const [a, l] = (w[i + 1] ?? '').split('/');
          const o = (a ?? '').split('.');
          const v = ((Number(o[0]) << 24) | (Number(o[1]) << 16) | (Number(o[2]) << 8) | Number(o[3])) >>> 0;
          n += (v & mask(Number(l ?? 32))) === 0 ? 0 : 1;
          i++;
          break;
        }
        case '-A':
          n++;
          break;
      }
    }
  }
  return n;
}
