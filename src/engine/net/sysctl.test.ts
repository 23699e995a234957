// pattern: Imperative Shell
import { describe, expect, it } from 'vitest';
import { createHostNet } from './config';
import { acceptRedirects, applySysctl, confValue, defaultTtl, forwarding, parseSysctl, rpFilter, sendRedirects } from './sysctl';

function apply(net: ReturnType<typeof createHostNet>, text: string): string[] {
  const p = parseSysctl(text);
  if (!p.value) return p.diagnostics.map((d) => d.message);
  return [...p.diagnostics, ...applySysctl(net, p.value)].map((d) => d.message);
}

const fresh = () => createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }, { name: 'eth1', mac: '02:00:00:00:01:02' }]);

describe('sysctl', () => {
  it('new namespace defaults (FORMAT.md §1.1)', () => {
    const net = fresh();
    expect(net.sysctl['net.ipv4.ip_forward']).toBe('0');
    expect(net.sysctl['net.ipv4.conf.eth0.rp_filter']).toBe('0');
    expect(net.sysctl['net.ipv4.conf.all.send_redirects']).toBe('1');
    expect(net.sysctl['net.ipv4.conf.default.accept_redirects']).toBe('1');
    expect(net.sysctl['net.netfilter.nf_conntrack_tcp_loose']).toBe('1');
    expect(net.sysctl['net.ipv4.fib_multipath_hash_policy']).toBe('0');
  });

  it('dotted and slashed keys, -q, several assignments', () => {
    const net = fresh();
    expect(apply(net, 'sysctl -q -w net/ipv4/conf/eth0/rp_filter=2 net.ipv4.conf.eth1.rp_filter=1')).toEqual([]);
    expect(rpFilter(net, 'eth0')).toBe(2);
    expect(rpFilter(net, 'eth1')).toBe(1);
    expect(parseSysctl('sysctl -qw net.ipv4.ip_forward=1').value!.quiet).toBe(true);
  });

  it('ip_forward switches forwarding on every interface', () => {
    const net = fresh();
    expect(forwarding(net, 'eth0')).toBe(false);
    expect(apply(net, 'sysctl -w net.ipv4.ip_forward=1')).toEqual([]);
    expect(forwarding(net, 'eth0') && forwarding(net, 'eth1') && forwarding(net, 'lo')).toBe(true);
    expect(apply(net, 'sysctl -w net.ipv4.conf.eth1.forwarding=0')).toEqual([]);
    expect(forwarding(net, 'eth1')).toBe(false);
  });

  it('ip_forward also turns conf.all.accept_redirects off, so a router takes no redirects (inet_forward_change, case p66)', () => {
    const net = fresh();
    expect(acceptRedirects(net, 'eth0')).toBe(true);
    expect(apply(net, 'sysctl -w net.ipv4.ip_forward=1')).toEqual([]);
    expect(net.sysctl['net.ipv4.conf.all.accept_redirects']).toBe('0');
    expect(acceptRedirects(net, 'eth0')).toBe(false);
    expect(apply(net, 'sysctl -w net.ipv4.ip_forward=0')).toEqual([]);
    expect(acceptRedirects(net, 'eth0')).toBe(true);
  });

  it('knows the per-device neighbour parameters, copied from net.ipv4.neigh.default', () => {
    const net = fresh();
    expect(net.sysctl['net.ipv4.neigh.eth0.proxy_delay']).toBe('80');
    expect(apply(net, 'sysctl -w net.ipv4.neigh.eth0.proxy_delay=0')).toEqual([]);
    expect(net.sysctl['net.ipv4.neigh.eth0.proxy_delay']).toBe('0');
    expect(net.sysctl['net.ipv4.neigh.eth1.proxy_delay']).toBe('80');
  });

  it('conf.all combines: rp_filter is the max, send_redirects an OR', () => {
    const net = fresh();
    apply(net, 'sysctl -w net.ipv4.conf.all.rp_filter=2');
    expect(rpFilter(net, 'eth0')).toBe(2);
    apply(net, 'sysctl -w net.ipv4.conf.eth0.rp_filter=1');
    expect(rpFilter(net, 'eth0')).toBe(2);
    apply(net, 'sysctl -w net.ipv4.conf.eth0.send_redirects=0');
    expect(sendRedirects(net, 'eth0')).toBe(true);
    apply(net, 'sysctl -w net.ipv4.conf.all.send_redirects=0');
    expect(sendRedirects(net, 'eth0')).toBe(false);
    expect(confValue(net, 'eth1', 'send_redirects')).toBe(1);
  });

  it('errors point at the key or value', () => {
    const net = fresh();
    const text = 'sysctl -w net.ipv4.nope=1';
    const d = applySysctl(net, parseSysctl(text).value!);
    expect(d.map((x) => x.message)).toEqual(['sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory']);
    expect(text.slice(d[0]!.from, d[0]!.to)).toBe('net.ipv4.nope');
    expect(apply(net, 'sysctl -w net.ipv4.conf.eth0.rp_filter=3')).toEqual(['sysctl: setting key "net.ipv4.conf.eth0.rp_filter": Invalid argument']);
    expect(apply(net, 'sysctl -w net.ipv4.ip_forward')).toEqual(['sysctl: "net.ipv4.ip_forward" must be of the form name=value']);
    expect(apply(net, 'sysctl -w net.ipv4.ip_forward=yes')).toEqual(['sysctl: setting key "net.ipv4.ip_forward": Invalid argument']);
  });

  it('refuses a value that does not fit an int, as proc_dointvec does (checked in a scratch namespace)', () => {
    const net = fresh();
    const text = 'sysctl -w net.ipv4.ip_forward=12345678901234567890123';
    const d = applySysctl(net, parseSysctl(text).value!);
    expect(d.map((x) => x.message)).toEqual(['sysctl: setting key "net.ipv4.ip_forward": Invalid argument']);
    expect(text.slice(d[0]!.from, d[0]!.to)).toBe('12345678901234567890123');
    expect(apply(net, 'sysctl -w net.ipv4.conf.all.forwarding=2147483648')).toEqual(['sysctl: setting key "net.ipv4.conf.all.forwarding": Invalid argument']);
    expect(apply(net, 'sysctl -w net.ipv4.ip_forward=-2147483649')).toEqual(['sysctl: setting key "net.ipv4.ip_forward": Invalid argument']);
    expect(net.sysctl['net.ipv4.ip_forward']).toBe('0');
    expect(apply(net, 'sysctl -w net.ipv4.ip_forward=2147483647')).toEqual([]);
    expect(net.sysctl['net.ipv4.ip_forward']).toBe('1');
  });

  it('ip_default_ttl is the TTL a host originates with, 64 unless set, 1..255 (ip_ttl_min/max)', () => {
    const net = fresh();
    expect(defaultTtl(net)).toBe(64);
    expect(apply(net, 'sysctl -w net.ipv4.ip_default_ttl=128')).toEqual([]);
    expect(defaultTtl(net)).toBe(128);
    // checked in a scratch namespace: both refused with EINVAL, the value stays
    expect(apply(net, 'sysctl -w net.ipv4.ip_default_ttl=0')).toEqual(['sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument']);
    expect(apply(net, 'sysctl -w net.ipv4.ip_default_ttl=256')).toEqual(['sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument']);
    expect(defaultTtl(net)).toBe(128);
  });
});
