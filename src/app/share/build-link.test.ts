// The Share button's link: the state on screen, measured as the whole URL,
// and never a link the app would refuse to open.

import { describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog } from '../../engine/walk-log';
import { decodeShare } from '../../share/link';
import { BUILT_IN as builtIn } from '../../scenarios/built-in';
import { buildLink } from './build-link';
import { readHash } from './hash';

const BASE = 'https://packetwalk.example/';

describe('the Share link', () => {
  const r = runScenario(readCase(builtIn).value!);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const log = walkLog(r.world);

  it('holds the scenario, the packet at the step, the step and the language, and the default scenario’s stays under 1,000 characters', () => {
    const index = log.packets[1]!.firstStep + 1;
    const link = buildLink(BASE, builtIn, log, index, 'zh');
    if (!link.ok) throw new Error(link.detail);
    expect(link.url.startsWith(`${BASE}#s=1.d.`)).toBe(true);
    expect(link.length).toBe(link.url.length);
    expect(link.length).toBeLessThanOrEqual(1000);
    expect(link.size).toBe('ok');
    const back = decodeShare(link.url);
    expect(back.ok && back.state).toMatchObject({ packet: log.packets[1]!.id, step: index, lang: 'zh' });
  });

  it('holds the lesson beside the walk, when there is one', () => {
    const link = buildLink(BASE, builtIn, log, 3, 'en', 'g04-port-forward');
    if (!link.ok) throw new Error(link.detail);
    expect(link.url.startsWith(`${BASE}#s=2.d.`)).toBe(true);
    const back = decodeShare(link.url);
    expect(back.ok && back.state).toMatchObject({ lesson: 'g04-port-forward', step: 3 });
  });

  it('holds how the reader steps (by hook, runs collapsed), and says nothing when it is by event', () => {
    const link = buildLink(BASE, builtIn, log, 5, 'en', null, { granularity: 'hook', collapse: true });
    if (!link.ok) throw new Error(link.detail);
    expect(readHash(link.url)).toMatchObject({ step: 5, lang: 'en', by: 'hook', collapse: true });
    expect(decodeShare(link.url)).toMatchObject({ ok: true, step: 5 });
    const plain = buildLink(BASE, builtIn, log, 5, 'en', null, { granularity: 'event', collapse: false });
    expect(plain.ok && plain.url).not.toMatch(/by=|collapse=/);
  });

  it('a 60-rule scenario stays in the green', () => {
    const router = builtIn.hosts.find((h) => h.name === 'router')!;
    const rules = Array.from({ length: 60 }, (_, i) => `iptables -A FORWARD -s 10.${i}.0.0/16 -p tcp --dport ${1000 + i} -j DROP`);
    const big = { ...builtIn, hosts: builtIn.hosts.map((h) => (h.name === 'router' ? { ...router, setup: [...(router.setup ?? []), ...rules] } : h)) };
    const link = buildLink(BASE, big, null, -1, 'en');
    expect(link.ok && link.length).toBeLessThanOrEqual(2000);
  });

  it('refuses to hand out what it would refuse to open, saying why', () => {
    const link = buildLink(BASE, { ...builtIn, hosts: [{ name: 'a', setup: ['rm -rf /'] }] }, null, -1, 'en');
    expect(link.ok).toBe(false);
    expect(!link.ok && link.detail).toMatch(/^invalid: /);
  });
});
