// pattern: Functional Core
// What `tc` sets up on a device (net/sched): its root qdisc, the qdiscs
// under classes, its classes, filters and the ingress qdisc. Plain data on
// the Link (config.ts), copied with the host's configuration; engine/tc
// parses, applies, prints and shapes it.

/** handles and class ids as the kernel keeps them: major << 16 | minor */
export type Handle = number;

export const TC_H_ROOT = 0xffffffff;
/** the ingress qdisc's handle and its parent (TC_H_INGRESS, printed ffff:fff1) */
export const INGRESS_HANDLE = 0xffff0000;
export const TC_H_INGRESS = 0xfffffff1;

export const major = (h: Handle): number => h >>> 16;
export const minor = (h: Handle): number => h & 0xffff;
export const handle = (maj: number, min: number): Handle => ((maj << 16) | min) >>> 0;
/** how tc prints a handle: `1:`, `8001:`, a class `1:10` (hex) */
export const formatHandle = (h: Handle): string => `${major(h).toString(16)}:${minor(h) ? minor(h).toString(16) : ''}`;

export interface PfifoOptions {
  kind: 'pfifo';
  /** packets; null: the device's tx_queue_len (fifo_init) */
  limit: number | null;
}

export interface TbfOptions {
  kind: 'tbf';
  /** bytes per second */
  rate: number;
  /** the burst as given, in bytes (what an export writes back) */
  burst: number;
  /** the bucket's depth as tc sends it, in psched ticks (tc_calc_xmittime of the burst) */
  bufferTicks: number;
  /** bytes the queue holds (tbf's child bfifo) */
  limit: number;
}

export interface HtbOptions {
  kind: 'htb';
  /** the minor of the class unclassified packets go to (`default`, read in hex); 0: none */
  defaultClass: number;
  r2q: number;
  /** packets the direct queue holds: the device's tx_queue_len */
  directQlen: number;
}

export interface IngressOptions {
  kind: 'ingress';
}

export type QdiscOptions = PfifoOptions | TbfOptions | HtbOptions | IngressOptions;
export type QdiscKind = QdiscOptions['kind'];

export interface Qdisc {
  handle: Handle;
  /** TC_H_ROOT, TC_H_INGRESS, or the class it is the leaf qdisc of */
  parent: Handle;
  options: QdiscOptions;
}

export interface HtbClass {
  classid: Handle;
  /** the class above it, or the qdisc's handle (`root` in tc's listing) */
  parent: Handle;
  /** bytes per second */
  rate: number;
  ceil: number;
  /** the bursts as given or defaulted, in bytes (what an export writes back) */
  burst: number;
  cburst: number;
  /** psched ticks of the rate's and the ceil's bucket */
  bufferTicks: number;
  cbufferTicks: number;
  prio: number;
}

/** One key of a u32 filter, on the IPv4 header (`match ip src|dst|protocol|sport|dport`). */
export interface U32Key {
  field: 'src' | 'dst' | 'protocol' | 'sport' | 'dport';
  value: number;
  mask: number;
}

/** A u32 filter on a classful qdisc: the packet that matches every key goes to `flowid`. */
export interface TcFilter {
  /** the qdisc it hangs on */
  parent: Handle;
  /** pref: lower runs first (tc's default 49152 for the first) */
  prio: number;
  keys: U32Key[];
  flowid: Handle;
}

/** A device's traffic control; absent on a Link that never had any (its root is the default qdisc). */
export interface TcDevice {
  qdiscs: Qdisc[];
  classes: HtbClass[];
  filters?: TcFilter[];
}

/** the default qdiscs dev_activate attaches (noqueue on the virtual devices this engine has) */
export const TX_QUEUE_LEN = 1000;
