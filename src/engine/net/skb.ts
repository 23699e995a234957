// pattern: Functional Core
// The memory an skb is charged for (skb->truesize) on the oracle's kernel
// (Linux 6.18, x86_64, 64-byte cache lines), as far as it shows in a TCP
// receiver's window: a TCP sender builds every data skb with a small head for
// the headers and the payload in page fragments; something that linearizes
// the skb on its way (the ftp conntrack helper) moves the payload into a new
// kmalloc'd head and makes the skb count for that head.

import type { Packet } from './packet';

/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
const SKB_SHINFO_SIZE = 320;
/**
 * skb_end_offset() of the head tcp_stream_alloc_skb() gets: MAX_TCP_HEADER
 * (256) from skb_small_head_cache (576 bytes with the shared info).
 */
const TCP_SKB_HEAD_END = 256;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
const SKB_STRUCT_SIZE = 256;
/**
 * skb->truesize of a TCP data skb minus its payload: SKB_TRUESIZE of the
 * small head. Measured with SO_MEMINFO (see sim/tcp-window.ts).
 */
export const TCP_SKB_HEAD_TRUESIZE = TCP_SKB_HEAD_END + SKB_STRUCT_SIZE + SKB_SHINFO_SIZE;

/** SKB_DATA_ALIGN: SMP_CACHE_BYTES */
function dataAlign(n: number): number {
  return Math.ceil(n / 64) * 64;
}

/**
 * kmalloc_size_roundup(): the kmalloc bucket an allocation of `n` bytes
 * gets (the power-of-two caches up to 8 KiB; beyond, whole pages of a
 * power-of-two order). The 96- and 192-byte caches are below any skb head.
 */
function kmallocRoundup(n: number): number {
  let size = 512;
  while (size < n) size *= 2;
  return size;
}

/** skb->truesize of a TCP data skb as the receiving socket charges it. */
export function skbTruesize(p: Packet): number {
  return p.truesize ?? p.payload.length + TCP_SKB_HEAD_TRUESIZE;
}

/**
 * skb_linearize() of a TCP data skb with its payload in page fragments:
 * __pskb_pull_tail() finds no room after the headers (the tail is at the
 * end of the small head) and calls pskb_expand_head(skb, 0, payload + 128).
 * The new head is kmalloc'd: SKB_DATA_ALIGN(256 + payload + 128) plus the
 * shared info, rounded up to its bucket. pskb_expand_head adds what the
 * head grew by to truesize only while the skb belongs to no socket, or to
 * one early demux attached (sock_edemux): a received or forwarded skb, not
 * the sender's own (`owned`), which stays linear with its old truesize.
 * The page fragments pulled in are freed without lowering truesize.
 */
export function skbLinearize(p: Packet, owned: boolean): void {
  if (p.linear || p.payload.length === 0) return;
  p.linear = true;
  if (owned) return;
  const size = dataAlign(TCP_SKB_HEAD_END + p.payload.length + 128);
  const head = kmallocRoundup(size + SKB_SHINFO_SIZE) - SKB_SHINFO_SIZE;
  p.truesize = skbTruesize(p) + head - TCP_SKB_HEAD_END;
}
