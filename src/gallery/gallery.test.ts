import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GALLERY, GALLERY_TODO, resolveLookHere, type I18nText } from './index';
import { runCase } from '../engine/run-case';
import { walkLog, type WalkLog } from '../engine/walk-log';
import { validatePayloadV1 } from '../share/schema';
import { decodeShare, encodeShare } from '../share/link';

const ORACLE = join(__dirname, '..', 'engine', '__fixtures__', 'oracle');
const SCENARIOS = join(__dirname, 'scenarios');

const logs = new Map<string, WalkLog>();
function logOf(id: string): WalkLog {
  let log = logs.get(id);
  if (!log) {
    const entry = GALLERY.find((e) => e.id === id)!;
    const r = runCase(entry.scenario);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    logs.set(id, (log = walkLog(r.world)));
  }
  return log;
}

function texts(): [string, I18nText][] {
  const out: [string, I18nText][] = [];
  for (const e of GALLERY) {
    out.push([`${e.id} title`, e.title], [`${e.id} summary`, e.summary], [`${e.id} explanation`, e.explanation]);
    e.lookHere.forEach((n, i) => out.push([`${e.id} lookHere[${i}]`, n.text]));
  }
  for (const t of GALLERY_TODO) out.push([`TODO ${t.id}`, t.title]);
  return out;
}

// kernel and tool words stay untranslated: one that appears in the English text appears in the Chinese one
const KEPT_WORDS = [
  'PREROUTING', 'POSTROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'DNAT', 'SNAT', 'MASQUERADE', 'DROP', 'ACCEPT', 'RST', 'SYN', 'ACK',
  'conntrack', 'ESTABLISHED', 'NEW', 'DOCKER-USER', 'ip rule', 'ip_forward', 'rp_filter', 'custom_table', 'fwmark', 'tun0',
];

describe('the gallery', () => {
  it('has every example of the notes that the engine can run', () => {
    expect(GALLERY.map((e) => e.id).sort()).toEqual(readdirSync(SCENARIOS).map((f) => f.replace(/\.json$/, '')).sort());
    expect(GALLERY.length).toBe(32);
    expect(new Set(GALLERY.map((e) => e.id)).size).toBe(GALLERY.length);
  });

  it('has the IPVS examples as real scenarios, none waiting', () => {
    expect(GALLERY_TODO).toEqual([]);
    expect(GALLERY.filter((e) => e.kernel === false).map((e) => e.id).sort()).toEqual(['gre-two-sites', 'ipvs-lc-nat', 'ipvs-rr-nat', 'ipvs-sh-nat', 'ipvs-tun', 'ipvs-wrr-dr', 'k8s-iptables-vs-ipvs', 'tc-01-tbf-shaping-a-link', 'vlan-interface', 'vlan-trunk-bridge']);
  });

  it('says which entries are modelled from kernel source: those the oracle cannot run for want of 8021q, GRE and IPIP', () => {
    expect(GALLERY.filter((e) => e.modelled === 'vlan').map((e) => e.id)).toEqual(['vlan-interface', 'vlan-trunk-bridge']);
    expect(GALLERY.filter((e) => e.modelled === 'tunnel').map((e) => e.id)).toEqual(['gre-two-sites']);
    for (const e of GALLERY.filter((x) => x.modelled)) expect(e.kernel).toBe(false);
  });

  describe.each(GALLERY.map((e) => [e.id, e] as const))('%s', (id, entry) => {
    it('is its own case name', () => {
      expect(entry.scenario.name).toBe(id);
    });

    it.skipIf(entry.kernel === false)('is the oracle case in the fixtures, with a kernel result beside it', () => {
      expect(readFileSync(join(ORACLE, `${id}.json`), 'utf8')).toBe(readFileSync(join(SCENARIOS, `${id}.json`), 'utf8'));
      const kernel = JSON.parse(readFileSync(join(ORACLE, `${id}.kernel.json`), 'utf8'));
      expect(kernel).toMatchObject({ format: 'nfo-kernel/1', case: id, warnings: [] });
    });

    it('runs in the engine without errors', () => {
      const r = runCase(entry.scenario);
      expect(r.ok ? [] : r.errors).toEqual([]);
      expect(logOf(id).steps.length).toBeGreaterThan(0);
    });

    it('passes the share-link schema, and its link opens it again', () => {
      expect(validatePayloadV1({ c: entry.scenario })).toMatchObject({ ok: true });
      const back = decodeShare(encodeShare({ scenario: entry.scenario }));
      expect(back.ok && back.state.scenario).toEqual(entry.scenario);
    });

    it('points every look-here note at a real step of the walk', () => {
      expect(entry.lookHere.length).toBeGreaterThanOrEqual(2);
      const log = logOf(id);
      for (const n of entry.lookHere) {
        const i = resolveLookHere(log, n);
        expect(i, `${id}: ${JSON.stringify({ step: n.step, host: n.host, packet: n.packet, at: n.at })}`).not.toBeNull();
        const s = log.steps[i!]!;
        expect(s.scenarioStep).toBe(n.step);
        expect(s.host).toBe(n.host);
      }
    });

    it('orders its look-here notes along the walk', () => {
      const log = logOf(id);
      const at = entry.lookHere.map((n) => resolveLookHere(log, n)!);
      expect(at).toEqual([...at].sort((a, b) => a - b));
    });
  });
});

describe('gallery texts', () => {
  it.each(texts())('%s is written in both languages', (_where, t) => {
    expect(t.en.trim().length).toBeGreaterThan(3);
    expect(t.zh.trim().length).toBeGreaterThan(3);
    expect(t.en).not.toMatch(/[\u4e00-\u9fff]/);
    // a summary may be a command line only, the same in both languages
    if (!/^(iptables|ip) /.test(t.en)) expect(t.zh).toMatch(/[\u4e00-\u9fff]/);
  });

  // only texts that use a kernel or tool word have something to keep
  const withKeptWords = texts()
    .map(([where, t]) => [where, t, KEPT_WORDS.filter((w) => new RegExp(`\\b${w}\\b`).test(t.en))] as const)
    .filter(([, , words]) => words.length > 0);

  it('has texts that use kernel and tool words', () => {
    expect(withKeptWords.length).toBeGreaterThan(10);
  });

  it.each(withKeptWords)('%s keeps kernel and tool words as they are', (_where, t, words) => {
    for (const w of words) expect(t.zh, w).toContain(w);
  });
});

describe('resolveLookHere', () => {
  it('finds nothing for a packet, host or moment the walk does not have', () => {
    const log = logOf('g04-port-forward');
    expect(resolveLookHere(log, { step: 1, host: 'router', packet: 99, at: { end: true } })).toBeNull();
    expect(resolveLookHere(log, { step: 1, host: 'nobody', at: { end: true } })).toBeNull();
    expect(resolveLookHere(log, { step: 2, host: 'router', at: { end: true } })).toBeNull();
    expect(resolveLookHere(log, { step: 1, host: 'web', at: { chain: 'nat:PREROUTING' } })).toBeNull();
  });

  it('resolves a chain to the first rule step of that chain in the chosen packet', () => {
    const log = logOf('g04-port-forward');
    const i = resolveLookHere(log, { step: 1, host: 'router', at: { chain: 'nat:PREROUTING' } })!;
    expect(log.steps[i]).toMatchObject({ kind: 'rule', table: 'nat', chain: 'PREROUTING', target: 'DNAT', host: 'router' });
  });
});
