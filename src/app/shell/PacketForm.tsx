// pattern: Imperative Shell
// The packet picker: which host sends what to where. It builds traffic
// steps in the oracle's case format (FORMAT.md §1.2) and hands them to the
// worker; whether the packet gets through is the engine's business.
//
// "Send another" puts the packets after the traffic already there, so they
// meet the state the earlier ones left (a second SYN finds the conntrack
// entry and the IPVS scheduler where the first left them); "Replace
// traffic" sends them alone, from empty state. Several at once are several
// connections: each its own traffic step, with its own source port.

import { memo, useId, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { MAX_TRAFFIC, selectScenario, sendPacket, selectStatus, type SendMode, type TrafficStep } from '../state/walk-store';
import { tEn, useT, type T } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import type { Case, CasePacket } from '../../engine/scenario/case';
import { selectHostNames } from './derive-scenario';
import { useDeps } from './context';

type Kind = 'tcp' | 'ping' | 'udp' | 'packet';
type Proto = 'tcp' | 'udp' | 'icmp';

const KINDS: { value: Kind; label: MessageKey }[] = [
  { value: 'tcp', label: 'form.kind.tcp' },
  { value: 'ping', label: 'form.kind.ping' },
  { value: 'udp', label: 'form.kind.udp' },
  { value: 'packet', label: 'form.kind.packet' },
];

const TCP_FLAGS = [
  ['S', 'SYN'],
  ['A', 'ACK'],
  ['F', 'FIN'],
  ['R', 'RST'],
  ['P', 'PSH'],
  ['U', 'URG'],
  ['E', 'ECE'],
  ['C', 'CWR'],
] as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export interface PacketChoice {
  from: string;
  kind: Kind;
  proto: Proto;
  dst: string;
  dport: string;
  sport: string;
  flags: string;
  data: string;
  /** how many to send at once: each one traffic step (a connection of its own) */
  count: string;
}

/** The most sent at once: a scheduler lesson needs a few rounds, not a flood. */
export const MAX_AT_ONCE = 20;

/** How many the form sends: its count as a number, or null when that is not 1..MAX_AT_ONCE. */
export function countOf(c: Pick<PacketChoice, 'count'>): number | null {
  const s = c.count.trim();
  if (s === '') return 1;
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  return n >= 1 && n <= MAX_AT_ONCE ? n : null;
}

/**
 * The form's own check: what must be filled in before asking the engine at
 * all. `traffic`: the traffic steps the packets are added to (0 when they
 * replace the traffic).
 */
export function choiceProblems(c: PacketChoice, t: T = tEn, traffic = 0): string[] {
  const out: string[] = [];
  if (!IPV4.test(c.dst.trim())) out.push(t('form.problem.dst'));
  const needsPort = c.kind === 'tcp' || c.kind === 'udp' || (c.kind === 'packet' && c.proto !== 'icmp');
  const port = (s: string) => /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 65535;
  if (needsPort && !port(c.dport.trim())) out.push(t('form.problem.dport'));
  if (needsPort && c.sport.trim() !== '' && !port(c.sport.trim())) out.push(t('form.problem.sport'));
  const n = countOf(c);
  if (n === null) out.push(t('traffic.problem.count', { max: MAX_AT_ONCE }));
  else if (traffic + n > MAX_TRAFFIC) out.push(t('traffic.problem.total', { max: MAX_TRAFFIC, n: traffic }));
  else if (needsPort && c.sport.trim() !== '' && port(c.sport.trim()) && Number(c.sport) + n - 1 > 65535) out.push(t('form.problem.sport'));
  return out;
}

/**
 * The traffic steps of the form: `count` of them, each a connection of its
 * own. Without a source port each gets the harness's default (40000 + its
 * step number, FORMAT.md §1.2), so no two share one; with one, they count up from it.
 */
export function trafficSteps(c: PacketChoice): TrafficStep[] {
  const n = countOf(c) ?? 1;
  const first = c.sport.trim();
  return Array.from({ length: n }, (_, i) => trafficStep(first === '' || i === 0 ? c : { ...c, sport: String(Number(first) + i) }));
}

export function trafficStep(c: PacketChoice): TrafficStep {
  const dst = c.dst.trim();
  const sport = c.sport.trim() === '' ? {} : { sport: Number(c.sport) };
  switch (c.kind) {
    case 'ping':
      return { from: c.from, ping: dst };
    case 'tcp':
      return { from: c.from, tcp: `${dst}:${c.dport.trim()}`, ...sport, ...(c.data ? { data: c.data } : {}) };
    case 'udp':
      return { from: c.from, udp: `${dst}:${c.dport.trim()}`, ...sport, data: c.data || 'hello' };
    case 'packet': {
      const packet: CasePacket = { proto: c.proto, dst };
      if (c.proto !== 'icmp') Object.assign(packet, { dport: Number(c.dport), ...sport });
      if (c.proto === 'tcp') packet.flags = c.flags;
      if (c.proto !== 'tcp' && c.data) packet.data = c.data;
      return { from: c.from, packet };
    }
  }
}

const field = 'rounded border border-slate-400 bg-white px-2 py-1.5 text-base text-slate-900 focus:outline-2 focus:outline-offset-1 focus:outline-blue-700';
const labelCls = 'flex flex-col gap-1 text-sm font-medium text-slate-700';

/**
 * The form's first values: the scenario's own first packet when the form can
 * show it (a link or a gallery scenario opens with its packet in the form),
 * else the built-in scenario's connect.
 */
export function initialChoice(scenario: Pick<Case, 'steps'>, hosts: string[]): PacketChoice {
  const base: PacketChoice = { from: hosts.includes('client') ? 'client' : (hosts[0] ?? ''), kind: 'tcp', proto: 'tcp', dst: '203.0.113.1', dport: '8080', sport: '', flags: 'S', data: '', count: '1' };
  const first = scenario.steps?.[0];
  if (!first || !hosts.includes(first.from)) return base;
  const from = first.from;
  const addrPort = (v: string) => (/^[\d.]+:\d+$/.test(v) ? v.split(':') : null);
  const sport = (s: { sport?: number }) => (s.sport !== undefined ? String(s.sport) : '');
  // a connect's source port is left to the default (40000 + its step number) when the first step's is that
  // default: "Send another" then opens a new connection rather than reusing the first one's tuple
  const connectPort = (s: { sport?: number }) => (s.sport === 40001 ? '' : sport(s));
  if ('tcp' in first) {
    const tcp = addrPort(first.tcp);
    if (tcp) return { ...base, from, kind: 'tcp', dst: tcp[0]!, dport: tcp[1]!, sport: connectPort(first), data: first.data ?? '' };
  } else if ('udp' in first) {
    const udp = addrPort(first.udp);
    if (udp) return { ...base, from, kind: 'udp', dst: udp[0]!, dport: udp[1]!, sport: connectPort(first), data: first.data ?? '' };
  } else if ('ping' in first) return { ...base, from, kind: 'ping', dst: first.ping, dport: '' };
  else {
    const p = first.packet;
    return {
      ...base,
      from,
      kind: 'packet',
      proto: p.proto,
      dst: p.dst,
      dport: p.dport !== undefined ? String(p.dport) : '',
      sport: sport(p),
      flags: p.flags ?? '',
      data: p.data ?? '',
    };
  }
  return { ...base, from };
}

export const PacketForm = memo(function PacketForm() {
  const { stores, client } = useDeps();
  const t = useT();
  const hosts = useStore(stores.scenario, selectHostNames);
  const status = useStore(stores.walk, selectStatus);
  // at start-up the form offers the built-in connect; a scenario loaded later (a link, the gallery) brings its own packet
  const [c, setC] = useState<PacketChoice>(() => initialChoice(stores.ui.getState().loads > 0 ? selectScenario(stores.scenario.getState()) : { steps: [] }, hosts));
  const [problems, setProblems] = useState<string[]>([]);
  const id = useId();
  const set = <K extends keyof PacketChoice>(k: K, v: PacketChoice[K]) => setC((old) => ({ ...old, [k]: v }));

  const send = (mode: SendMode) => {
    const traffic = mode === 'add' ? (selectScenario(stores.scenario.getState()).steps?.length ?? 0) : 0;
    const p = choiceProblems(c, t, traffic);
    setProblems(p);
    if (p.length === 0) void sendPacket(stores, client, trafficSteps(c), mode);
  };
  // Enter in a field sends another: the traffic already there is kept unless the user chooses to replace it
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send('add');
  };
  const n = countOf(c) ?? 1;

  const showPorts = c.kind === 'tcp' || c.kind === 'udp' || (c.kind === 'packet' && c.proto !== 'icmp');
  const showData = c.kind === 'tcp' || c.kind === 'udp' || (c.kind === 'packet' && c.proto !== 'tcp');
  const showFlags = c.kind === 'packet' && c.proto === 'tcp';

  return (
    <form onSubmit={onSubmit} aria-labelledby={`${id}-h`} className="flex flex-col gap-2" noValidate>
      <h2 id={`${id}-h`} className="text-base font-semibold text-slate-900">
        {t('form.title')}
      </h2>
      <div className="flex flex-wrap items-end gap-3">
        <div className={labelCls}>
          <label htmlFor={`${id}-from`}>{t('form.from')}</label>
          <select id={`${id}-from`} className={field} value={c.from} onChange={(e) => set('from', e.target.value)}>
            {hosts.map((h) => (
              <option key={h}>{h}</option>
            ))}
          </select>
        </div>
        <div className={labelCls}>
          <label htmlFor={`${id}-kind`}>{t('form.kind')}</label>
          <select id={`${id}-kind`} className={field} value={c.kind} onChange={(e) => set('kind', e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {t(k.label)}
              </option>
            ))}
          </select>
        </div>
        {c.kind === 'packet' && (
          <div className={labelCls}>
            <label htmlFor={`${id}-proto`}>{t('form.proto')}</label>
            <select id={`${id}-proto`} className={field} value={c.proto} onChange={(e) => set('proto', e.target.value as Proto)}>
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
              <option value="icmp">{t('form.icmpEcho')}</option>
            </select>
          </div>
        )}
        <div className={labelCls}>
          <label htmlFor={`${id}-dst`}>{t('form.dst')}</label>
          <input id={`${id}-dst`} className={`${field} w-40 font-mono`} value={c.dst} onChange={(e) => set('dst', e.target.value)} inputMode="decimal" autoComplete="off" spellCheck={false} />
        </div>
        {showPorts && (
          <>
            <div className={labelCls}>
              <label htmlFor={`${id}-dport`}>{t('form.dport')}</label>
              <input id={`${id}-dport`} className={`${field} w-24 font-mono`} value={c.dport} onChange={(e) => set('dport', e.target.value)} inputMode="numeric" autoComplete="off" />
            </div>
            <div className={labelCls}>
              <label htmlFor={`${id}-sport`}>{t('form.sport')}</label>
              <input id={`${id}-sport`} className={`${field} w-24 font-mono`} value={c.sport} placeholder={t('form.auto')} onChange={(e) => set('sport', e.target.value)} inputMode="numeric" autoComplete="off" />
            </div>
          </>
        )}
        {showData && (
          <div className={labelCls}>
            <label htmlFor={`${id}-data`}>{t('form.data')}</label>
            <input id={`${id}-data`} className={`${field} w-40`} value={c.data} placeholder={c.kind === 'udp' ? 'hello' : t('form.none')} onChange={(e) => set('data', e.target.value)} autoComplete="off" />
          </div>
        )}
        <div className={labelCls}>
          <label htmlFor={`${id}-count`}>{t('traffic.count')}</label>
          <input id={`${id}-count`} className={`${field} w-16 font-mono`} value={c.count} onChange={(e) => set('count', e.target.value)} inputMode="numeric" autoComplete="off" aria-describedby={`${id}-hint`} />
        </div>
        <button
          type="submit"
          aria-describedby={`${id}-hint`}
          className="rounded bg-blue-700 px-4 py-2 text-base font-semibold text-white hover:bg-blue-800 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:bg-slate-500"
        >
          {n > 1 ? t(c.kind === 'tcp' ? 'traffic.sendMoreConnections' : 'traffic.sendMorePackets', { n }) : t('traffic.sendAnother')}
        </button>
        <button
          type="button"
          aria-describedby={`${id}-hint`}
          onClick={() => send('replace')}
          className="rounded border border-slate-500 bg-white px-3 py-2 text-base font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700"
        >
          {t('traffic.replace')}
        </button>
        <span role="status" className="self-center text-sm text-slate-700">
          {status === 'running' ? t('form.simulating') : ''}
        </span>
      </div>
      {showFlags && (
        <fieldset className="flex flex-wrap items-center gap-3">
          <legend className="mb-1 text-sm font-medium text-slate-700">{t('form.flags')}</legend>
          {TCP_FLAGS.map(([letter, name]) => (
            <label key={letter} className="flex items-center gap-1 text-sm text-slate-800">
              <input
                type="checkbox"
                className="h-4 w-4 accent-blue-700"
                checked={c.flags.includes(letter)}
                onChange={(e) => set('flags', e.target.checked ? c.flags + letter : c.flags.replace(letter, ''))}
              />
              {name}
            </label>
          ))}
        </fieldset>
      )}
      <p id={`${id}-hint`} className="max-w-[100ch] text-sm text-slate-700">
        {t('traffic.hint')}
      </p>
      {problems.length > 0 && (
        <ul role="alert" className="list-disc pl-5 text-sm text-red-800">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </form>
  );
});
