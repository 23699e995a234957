// pattern: Functional Core
// IPv4 arithmetic the generator needs (the engine's own lives in
// src/engine/net/addr.ts; this one stays independent so the generator never
// shares a bug with what it tests).

export function ip(s: string): number {
  const p = s.split('.').map(Number);
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0);
}

export function fmt(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function maskOf(plen: number): number {
  return plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
}

export function network(addr: number, plen: number): number {
  return (addr & maskOf(plen)) >>> 0;
}

export function broadcast(addr: number, plen: number): number {
  return (network(addr, plen) | (~maskOf(plen) >>> 0)) >>> 0;
}

export function contains(net: number, plen: number, addr: number): boolean {
  return network(addr, plen) === network(net, plen);
}

export function overlaps(a: number, ap: number, b: number, bp: number): boolean {
  const p = Math.min(ap, bp);
  return network(a, p) === network(b, p);
}

export function cidr(addr: number, plen: number): string {
  return `${fmt(network(addr, plen))}/${plen}`;
}
