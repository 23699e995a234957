import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  MAX_PAYLOAD_BYTES,
  SHARE_ERROR_TEXT,
  decodeShare,
  encodePayloadV1,
  encodeShare,
  sharePath,
  shareSizeClass,
  type ShareErrorKind,
  type ShareState,
} from './link';
import type { Case } from '../engine/scenario/case';
import portForward from '../scenarios/port-forward.json';

const PORT_FORWARD = portForward as Case;

/** How much compressed data the decoder hands to fflate: a bomb must be stopped early, never inflated whole. */
const inflation = vi.hoisted(() => ({ streamed: 0, whole: 0 }));
vi.mock('fflate', async (importOriginal) => {
  const real = await importOriginal<typeof import('fflate')>();
  class CountingInflate extends real.Inflate {
    override push(chunk: Uint8Array, final?: boolean): void {
      inflation.streamed += chunk.length;
      super.push(chunk, final);
    }
  }
  const inflateSync = (...a: Parameters<typeof real.inflateSync>) => {
    inflation.whole += a[0].length;
    return real.inflateSync(...a);
  };
  return { ...real, Inflate: CountingInflate, inflateSync };
});
const ORACLE_DIR = join(__dirname, '..', 'engine', '__fixtures__', 'oracle');

/** A link whose payload is exactly this JSON text (what an attacker can make). */
function linkOf(jsonText: string, codec: 'd' | 'z' = 'z'): string {
  return `s=1.${codec}.${encodePayloadV1(jsonText, codec)}`;
}

function errorKind(hash: string): ShareErrorKind | 'ok' {
  const r = decodeShare(hash);
  return r.ok ? 'ok' : r.error.kind;
}

function withCase(patch: (c: Record<string, unknown>) => void): string {
  const c = structuredClone(portForward) as Record<string, unknown>;
  patch(c);
  return linkOf(JSON.stringify({ c }));
}

const SERVICES: [string, 'tcp' | 'udp', number][] = [
  ['ssh', 'tcp', 22], ['smtp', 'tcp', 25], ['dns', 'udp', 53], ['http', 'tcp', 80], ['https', 'tcp', 443], ['pop3', 'tcp', 110],
  ['imap', 'tcp', 143], ['imaps', 'tcp', 993], ['mysql', 'tcp', 3306], ['postgres', 'tcp', 5432], ['redis', 'tcp', 6379], ['ntp', 'udp', 123],
];

/** A forwarding firewall with 60 distinct rules: the "60-rule scenario". */
function sixtyRuleScenario(): Case {
  const rules: string[] = [];
  for (let i = 0; rules.length < 60; i++) {
    const [name, proto, port] = SERVICES[i % SERVICES.length]!;
    const src = `10.${(i * 7) % 256}.${(i * 13) % 256}.0/24`;
    const dst = `192.168.${1 + (i % 4)}.${10 + ((i * 3) % 200)}`;
    const target = i % 5 === 4 ? 'DROP' : 'ACCEPT';
    rules.push(`iptables -A FORWARD -s ${src} -d ${dst} -p ${proto} --dport ${port} -m conntrack --ctstate NEW -m comment --comment "${name} ${i}" -j ${target}`);
  }
  return {
    name: 'sixty-rules',
    description: 'A forwarding firewall with 60 rules between branch networks and four server subnets.',
    hosts: [
      { name: 'branch', setup: ['ip addr add 10.0.0.10/8 dev eth0', 'ip route add default via 10.0.0.1'] },
      {
        name: 'fw',
        setup: [
          'ip addr add 10.0.0.1/8 dev eth0',
          'ip addr add 192.168.0.1/16 dev eth1',
          'sysctl -w net.ipv4.ip_forward=1',
          'iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
          ...rules,
          'iptables -P FORWARD DROP',
        ],
      },
      { name: 'server', setup: ['ip addr add 192.168.1.10/16 dev eth0', 'ip route add default via 192.168.0.1'] },
    ],
    links: [['branch:eth0', 'fw:eth0'], ['fw:eth1', 'server:eth0']],
    listeners: [{ host: 'server', proto: 'tcp', port: 22 }],
    steps: [{ from: 'branch', tcp: '192.168.1.10:22' }],
  };
}

describe('encodeShare / decodeShare round trip', () => {
  it('reproduces scenario, packet, step and language exactly', () => {
    const state: ShareState = { scenario: PORT_FORWARD, packet: 3, step: 17, lang: 'zh' };
    const hash = encodeShare(state);
    expect(hash).toMatch(/^s=1\.d\.[A-Za-z0-9_-]+&step=17&lang=zh$/);
    const r = decodeShare(hash);
    expect(r).toEqual({ ok: true, state, step: 17, lang: 'zh' });
  });

  it('leaves step, packet and language out when they are not set', () => {
    const r = decodeShare(encodeShare({ scenario: PORT_FORWARD }));
    expect(r).toEqual({ ok: true, state: { scenario: PORT_FORWARD } });
  });

  it('carries the lesson beside the walk in format 2, and writes format 1 when there is none', () => {
    const state: ShareState = { scenario: PORT_FORWARD, packet: 2, lesson: 'g04-port-forward', step: 9, lang: 'en' };
    const hash = encodeShare(state);
    expect(hash).toMatch(/^s=2\.d\.[A-Za-z0-9_-]+&step=9&lang=en$/);
    expect(decodeShare(hash)).toEqual({ ok: true, state, step: 9, lang: 'en' });
    expect(encodeShare({ scenario: PORT_FORWARD, packet: 2 })).toMatch(/^s=1\./);
    // format 1 has no lesson: a payload with one is not a format-1 payload
    const withLesson = encodeShare({ scenario: PORT_FORWARD, lesson: 'g04-port-forward' });
    expect(decodeShare(withLesson.replace(/^s=2\./, 's=1.'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeShare(encodeShare({ scenario: PORT_FORWARD, lesson: '../../etc' }))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });

  it('decodes the plain deflate codec z as well as the dictionary codec d', () => {
    const hash = encodeShare({ scenario: PORT_FORWARD, step: 2 }, { codec: 'z' });
    expect(hash.startsWith('s=1.z.')).toBe(true);
    expect(decodeShare(hash)).toMatchObject({ ok: true, state: { scenario: PORT_FORWARD, step: 2 } });
  });

  it('accepts the hash with its #, and a whole URL', () => {
    const hash = encodeShare({ scenario: PORT_FORWARD, step: 4 });
    expect(decodeShare(`#${hash}`)).toMatchObject({ ok: true, step: 4 });
    expect(decodeShare(`https://packetwalk.example/#${hash}`)).toMatchObject({ ok: true, step: 4 });
    expect(sharePath({ scenario: PORT_FORWARD })).toBe(`/#${encodeShare({ scenario: PORT_FORWARD })}`);
  });

  it('round-trips every oracle case in the fixtures', () => {
    const files = readdirSync(ORACLE_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const scenario = JSON.parse(readFileSync(join(ORACLE_DIR, f), 'utf8')) as Case;
      const r = decodeShare(encodeShare({ scenario }));
      expect(r.ok ? r.state.scenario : r.error, f).toEqual(scenario);
    }
  });
});

describe('link size', () => {
  it('the built-in scenario fits in 1,000 characters', () => {
    const hash = encodeShare({ scenario: PORT_FORWARD, packet: 12, step: 123, lang: 'zh' });
    expect(sharePath({ scenario: PORT_FORWARD, packet: 12, step: 123, lang: 'zh' }).length).toBeLessThanOrEqual(1000);
    expect(hash.length).toBeLessThanOrEqual(1000);
  });

  it('a 60-rule scenario fits in 2,000 characters', () => {
    const scenario = sixtyRuleScenario();
    expect((scenario.hosts[1]!.setup ?? []).filter((c) => typeof c === 'string' && c.startsWith('iptables')).length).toBe(62);
    expect(decodeShare(encodeShare({ scenario }))).toMatchObject({ ok: true, state: { scenario } });
    expect(sharePath({ scenario, step: 999, lang: 'en' }).length).toBeLessThanOrEqual(2000);
  });

  it('the preset dictionary is what makes the 60-rule link fit', () => {
    const scenario = sixtyRuleScenario();
    expect(encodeShare({ scenario }).length).toBeLessThan(encodeShare({ scenario }, { codec: 'z' }).length * 0.9);
  });

  it('classifies the size for the Share meter', () => {
    expect([0, 2000, 2001, 8000, 8001, 1e6].map(shareSizeClass)).toEqual(['ok', 'ok', 'warn', 'warn', 'file', 'file']);
  });
});

describe('junk that chat apps append is ignored', () => {
  const hash = encodeShare({ scenario: PORT_FORWARD, packet: 2, step: 9, lang: 'zh' });
  const expected = { ok: true, state: { scenario: PORT_FORWARD, packet: 2, step: 9, lang: 'zh' }, step: 9, lang: 'zh' };
  it.each([
    ['a query glued after the hash (WeChat)', `${hash}?from=singlemessage&isappinstalled=0`],
    ['&appinstall=0 inside the hash', `${hash}&appinstall=0`],
    ['utm parameters', `${hash}&utm_source=wechat&utm_medium=social&utm_campaign=x`],
    ['utm parameters before our own', `utm_source=x&${hash}`],
    ['a full stop after the link', `${hash}.`],
    ['a closing parenthesis and comma', `${hash}),`],
    ['Chinese punctuation', `${hash}。`],
    ['a Chinese comma then text', `${hash}，请看`],
    ['surrounding whitespace and a newline', `  ${hash}\n`],
    ['quotes around the link', `${hash}"`],
    ['a percent-encoded =', hash.replace('s=', 's%3D')],
  ])('%s', (_name, h) => {
    expect(decodeShare(h)).toEqual(expected);
  });

  it('trailing punctuation after step and lang', () => {
    const h = encodeShare({ scenario: PORT_FORWARD });
    expect(decodeShare(`${h}&lang=zh-CN&step=12).`)).toMatchObject({ ok: true, step: 12, lang: 'zh' });
  });

  it('a hand-edited step or lang that makes no sense falls back instead of refusing the link', () => {
    const h = encodeShare({ scenario: PORT_FORWARD });
    const r = decodeShare(`${h}&step=abc&lang=fr`);
    expect(r).toEqual({ ok: true, state: { scenario: PORT_FORWARD } });
  });
});

describe('broken links return an error kind and never throw', () => {
  const good = encodeShare({ scenario: PORT_FORWARD, step: 5 });
  const payload = good.slice('s=1.d.'.length, good.indexOf('&'));

  const flip = (p: string, at: number) => p.slice(0, at) + (p[at] === 'A' ? 'B' : 'A') + p.slice(at + 1);
  it.each<[string, ShareErrorKind, string]>([
    ['cut in half', 'truncated', `s=1.d.${payload.slice(0, payload.length >> 1)}`],
    ['cut by one character group', 'truncated', `s=1.d.${payload.slice(0, payload.length - 4)}`],
    ['cut inside a character group', 'truncated', `s=1.d.${payload.slice(0, payload.length - 3)}`],
    ['cut by one character', 'truncated', `s=1.d.${payload.slice(0, payload.length - 1)}`],
    ['cut after the first character', 'truncated', `s=1.d.${payload.slice(0, 1)}`],
    ['cut after the codec', 'truncated', 's=1.d.'],
    ['cut after the version', 'truncated', 's=1'],
    ['a character that is not base64url ends it early', 'truncated', `s=1.d.${payload.slice(0, 20)}*!${payload.slice(22)}`],
    ['one character changed in the middle', 'corrupt', `s=1.d.${flip(payload, payload.length >> 1)}`],
    ['one character changed near the end (the checksum)', 'corrupt', `s=1.d.${flip(payload, payload.length - 2)}`],
    ['a run of characters reversed', 'corrupt', `s=1.d.${payload.slice(0, 40)}${payload.slice(40, 60).split('').reverse().join('')}${payload.slice(60)}`],
    ['read with the wrong codec (d data as z)', 'corrupt', `s=1.z.${payload}`],
    ['not JSON', 'corrupt', linkOf('this is not json')],
    ['no s= at all', 'invalid', 'step=3&lang=zh'],
    ['an empty hash', 'invalid', ''],
    ['a version from the future', 'unsupported-version', `s=3.d.${payload}`],
    ['version 0', 'unsupported-version', `s=0.d.${payload}`],
    ['an unknown codec', 'unsupported-version', `s=1.x.${payload}`],
    ['not a version number', 'corrupt', 's=abc'],
  ])('%s → %s', (_name, kind, hash) => {
    expect(errorKind(hash)).toBe(kind);
  });

  it('every shorter prefix of a link reads as truncated', () => {
    for (let n = 0; n < payload.length; n++) expect(errorKind(`s=1.d.${payload.slice(0, n)}`), `first ${n} characters`).toBe('truncated');
  });

  it('base64url junk glued to the end of the data is ignored', () => {
    const h = encodeShare({ scenario: PORT_FORWARD });
    expect(decodeShare(`${h}Thanks`)).toEqual({ ok: true, state: { scenario: PORT_FORWARD } });
  });

  it('a zip bomb stops at the output cap: only its first few kilobytes are inflated, never the whole', () => {
    // 64 MB of spaces compress to ~64 KB: far over the 2 MB cap (how long opening one takes: npm run bench:app -- --extras)
    const bomb = linkOf(' '.repeat(64 * 1024 * 1024));
    inflation.streamed = 0;
    inflation.whole = 0;
    const r = decodeShare(bomb);
    expect(r).toMatchObject({ ok: false, error: { kind: 'too-large' } });
    // 2 MB of output come from ~2 KB of this data; the decoder feeds 1 KB at a time
    expect(inflation.streamed).toBeGreaterThan(0);
    expect(inflation.streamed).toBeLessThanOrEqual(4 * 1024);
    expect(inflation.whole).toBe(0);
  });

  it('a payload just over the cap is too large, whatever its content', () => {
    const big = JSON.stringify({ c: { ...PORT_FORWARD, description: 'x'.repeat(MAX_PAYLOAD_BYTES) } });
    expect(errorKind(linkOf(big))).toBe('too-large');
  });

  it('an absurdly long hash is refused before decoding', () => {
    expect(errorKind(`s=1.d.${'A'.repeat(3_000_000)}`)).toBe('too-large');
  });

  it('every error kind has a message in both languages', () => {
    for (const t of Object.values(SHARE_ERROR_TEXT)) {
      expect(t.en.length).toBeGreaterThan(10);
      expect(t.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('hostile and invalid scenarios are refused by the schema', () => {
  it.each<[string, string, ShareErrorKind]>([
    ['a __proto__ key', linkOf('{"c":{"name":"x","hosts":[{"name":"a","setup":[]}],"__proto__":{"polluted":1}}}'), 'hostile'],
    ['a nested constructor key', linkOf('{"c":{"name":"x","hosts":[{"name":"a","setup":[],"constructor":{"prototype":{}}}]}}'), 'hostile'],
    ['__proto__ as a table name', withCase((c) => (c.rt_tables = JSON.parse('{"__proto__": 5}'))), 'hostile'],
    ['script text in the description', withCase((c) => (c.description = '<script>alert(1)</script>')), 'hostile'],
    ['an image tag with onerror in the name', withCase((c) => (c.name = '<img src=x onerror=alert(1)>')), 'hostile'],
    ['a javascript: URL in a step note', withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.note = 'javascript:alert(1)')), 'hostile'],
    ['bidi override characters', withCase((c) => (c.description = 'safe \u202e txet')), 'hostile'],
    ['deep nesting', linkOf(`{"c":${'['.repeat(50)}${']'.repeat(50)}}`), 'hostile'],
    ['a huge number', withCase((c) => ((c.listeners as Record<string, unknown>[])[0]!.port = 1e308)), 'invalid'],
    ['an infinite number (1e999)', linkOf(JSON.stringify({ c: PORT_FORWARD }).replace('"port":80', '"port":1e999')), 'invalid'],
    ['a fractional port', withCase((c) => ((c.listeners as Record<string, unknown>[])[0]!.port = 80.5)), 'invalid'],
    ['a negative mark', withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.mark = -1)), 'invalid'],
    ['a mark above 32 bits', withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.mark = 2 ** 32)), 'invalid'],
    ['a string where a number belongs', withCase((c) => ((c.listeners as Record<string, unknown>[])[0]!.port = '80')), 'invalid'],
    ['hosts not a list', withCase((c) => (c.hosts = { name: 'a' })), 'invalid'],
    ['an extra key', withCase((c) => (c.extra = true)), 'invalid'],
    ['an extra key in a step', withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.exec = 'rm -rf /')), 'invalid'],
    ['a step with two kinds', withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.ping = '1.2.3.4')), 'invalid'],
    ['a shell command in setup', withCase((c) => ((c.hosts as { setup: unknown[] }[])[0]!.setup.push('rm -rf / --no-preserve-root'))), 'invalid'],
    ['ip netns', withCase((c) => ((c.hosts as { setup: unknown[] }[])[0]!.setup.push('ip link set eth0 netns other'))), 'invalid'],
    ['a sysctl outside net.ipv4', withCase((c) => ((c.hosts as { setup: unknown[] }[])[0]!.setup.push('sysctl -w kernel.panic=1'))), 'invalid'],
    ['ip with an object the harness does not run', withCase((c) => ((c.hosts as { setup: unknown[] }[])[0]!.setup.push('ip xfrm state flush'))), 'invalid'],
    ['a control character in a command', withCase((c) => ((c.hosts as { setup: unknown[] }[])[0]!.setup.push('iptables -A INPUT\u0000 -j DROP'))), 'invalid'],
    ['step data of 65536 characters', withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.data = 'x'.repeat(65536))), 'invalid'],
    ['too many hosts', withCase((c) => (c.hosts = Array.from({ length: 17 }, (_, i) => ({ name: `h${i}`, setup: [] })))), 'invalid'],
    ['too many commands', withCase((c) => ((c.hosts as { setup: unknown[] }[])[0]!.setup = Array.from({ length: 401 }, () => 'iptables -A INPUT -j ACCEPT'))), 'invalid'],
    ['a command that is too long', withCase((c) => ((c.hosts as { setup: unknown[] }[])[0]!.setup.push(`iptables -A INPUT -m comment --comment ${'x'.repeat(1000)}`))), 'invalid'],
    ['a link to a host that does not exist', withCase((c) => (c.links = [['client:eth0', 'nobody:eth0']])), 'invalid'],
    ['a step from a host that does not exist', withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.from = 'ghost')), 'invalid'],
    ['a packet id of 0', linkOf(JSON.stringify({ c: PORT_FORWARD, p: 0 })), 'invalid'],
    ['the payload not an object', linkOf('[1,2,3]'), 'invalid'],
    ['the payload null', linkOf('null'), 'invalid'],
  ])('%s → $2', (_name, hash, kind) => {
    const r = decodeShare(hash);
    expect(r.ok ? 'ok' : r.error.kind).toBe(kind);
    if (!r.ok) expect(r.error.detail.length).toBeGreaterThan(3);
  });

  it('step data may hold CRLF line ends and up to 65535 characters (an HTTP request, p80)', () => {
    const head = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
    const data = head + 'x'.repeat(65535 - head.length);
    expect(data.length).toBe(65535);
    expect(decodeShare(withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.data = data)))).toMatchObject({ ok: true });
  });

  it('step data are payload bytes: a TFTP request starts with NUL bytes (p70)', () => {
    const rrq = '\u0000\u0001README\u0000octet\u0000';
    expect(decodeShare(withCase((c) => ((c.steps as Record<string, unknown>[])[0]!.data = rrq)))).toMatchObject({ ok: true });
  });

  it('ordinary text with < and > is not markup', () => {
    const h = withCase((c) => (c.description = 'drop when count<limit, accept if a > b; see <RFC 1918>'));
    expect(decodeShare(h)).toMatchObject({ ok: true });
  });

  it('says where a schema problem is', () => {
    const r = decodeShare(withCase((c) => ((c.listeners as Record<string, unknown>[])[0]!.port = 70000)));
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid', detail: 'listeners[0].port: must be ≤ 65535' } });
  });

  it('a refused __proto__ key has polluted nothing', () => {
    decodeShare(linkOf('{"c":{"name":"x","hosts":[],"__proto__":{"polluted":1}},"__proto__":{"polluted":1}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('decodeShare never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = decodeShare(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary base64url payloads behind a valid prefix', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,400}$/), fc.constantFrom('d', 'z'), (p, codec) => {
        const r = decodeShare(`s=1.${codec}.${p}`);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary JSON behind a valid compression', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const r = decodeShare(linkOf(JSON.stringify({ c: v })));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('on a real link with random damage', () => {
    const good = encodeShare({ scenario: PORT_FORWARD });
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.string({ minLength: 0, maxLength: 3 }), (at, ins) => {
        const r = decodeShare(good.slice(0, at) + ins + good.slice(at + 1));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('IPVS scenarios in links', () => {
  for (const mode of ['nat', 'dr', 'tun']) {
    it(`round-trips the IPVS ${mode} scenario with its ipvsadm commands`, () => {
      const scenario = JSON.parse(readFileSync(join(__dirname, '..', 'scenarios', 'ipvs', `${mode}.json`), 'utf8')) as Case;
      const back = decodeShare(encodeShare({ scenario }));
      expect(back.ok).toBe(true);
      if (back.ok) expect(back.state.scenario).toEqual(scenario);
    });
  }
});
