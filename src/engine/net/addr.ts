// pattern: Functional Core
// IPv4 addresses are unsigned 32-bit numbers everywhere in the engine: rule
// matching compares (addr & mask) === net on numbers, which is what makes a
// 100,000-rule chain walkable thousands of times a second.

export type Ipv4 = number;

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parse dotted-quad; null when not a valid IPv4 address. */
export function parseIpv4(text: string): Ipv4 | null {
  const m = DOTTED.exec(text);
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const s = m[i]!;
    const o = Number(s);
    if (o > 255) return null;
    v = v * 256 + o;
  }
  return v >>> 0;
}

export function formatIpv4(a: Ipv4): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Mask for a prefix length 0..32 as an unsigned number. */
export function prefixMask(len: number): number {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
}

/** Prefix length of a contiguous mask, or -1 when the mask has holes. */
export function maskLength(mask: number): number {
  const m = mask >>> 0;
  let len = 0;
  while (len < 32 && (m & (0x80000000 >>> len)) !== 0) len++;
  return prefixMask(len) === m ? len : -1;
}

export interface Prefix {
  /** network address, already masked */
  addr: Ipv4;
  len: number;
}

export function inPrefix(a: Ipv4, p: Prefix): boolean {
  const mask = prefixMask(p.len);
  return ((a & mask) >>> 0) === p.addr;
}

export function formatPrefix(p: Prefix): string {
  return `${formatIpv4(p.addr)}/${p.len}`;
}
