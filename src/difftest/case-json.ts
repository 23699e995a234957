// pattern: Functional Core
// The oracle's case file as plain JSON (shared/oracle/FORMAT.md §1): what the
// generator writes, the minimiser rewrites and run-case reads. The engine's
// own reading of it is src/engine/scenario/case-file.ts.

export type SetupCommandJson = string | { 'iptables-restore': string; noflush?: boolean };

export interface CaseHostJson {
  name: string;
  setup: SetupCommandJson[];
}

export interface ListenerJson {
  host: string;
  proto: 'tcp' | 'udp';
  port: number;
  addr?: string;
  echo?: boolean;
}

export interface CraftedPacketJson {
  proto: 'tcp' | 'udp' | 'icmp';
  dst: string;
  src?: string;
  ttl?: number;
  tos?: number;
  df?: boolean;
  sport?: number;
  dport?: number;
  flags?: string;
  seq?: number;
  ack?: number;
  window?: number;
  data?: string;
  type?: number;
  code?: number;
  id?: number;
}

export interface StepJson {
  from: string;
  note?: string;
  timeout?: number;
  src?: string;
  mark?: number;
  ttl?: number;
  ping?: string;
  tcp?: string;
  udp?: string;
  packet?: CraftedPacketJson;
  sport?: number;
  data?: string;
  /** ping: the echo data (default 56 bytes of the harness's pattern) */
  payload?: string;
  close?: 'rst' | 'fin';
}

export interface CaseJson {
  name: string;
  description?: string;
  options?: { conntrack?: 'auto' | 'on' };
  rt_tables?: Record<string, number>;
  hosts: CaseHostJson[];
  links?: [string, string][];
  switches?: { name: string; ports: string[] }[];
  listeners?: ListenerJson[];
  steps: StepJson[];
}

export type StepKind = 'ping' | 'tcp' | 'udp' | 'packet';

export function stepKind(s: StepJson): StepKind {
  if (s.ping !== undefined) return 'ping';
  if (s.tcp !== undefined) return 'tcp';
  if (s.udp !== undefined) return 'udp';
  return 'packet';
}

/** Keys sorted at every level: the form whose hash names a case in the kernel cache. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
