// The language the app starts in, and what each view's words become.

import { beforeAll, describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog } from '../../engine/walk-log';
import builtIn from '../../scenarios/port-forward.json';
import { eventRow, rowsIn } from '../shell/derive';
import { translateNotice } from '../shell/notices';
import { decodeSave } from '../state/autosave';
import { initialChoice } from '../shell/PacketForm';
import { htmlLang, startLang, tFor } from './lang';
import { loadLang } from './i18n';

beforeAll(() => loadLang('zh'));

const zh = tFor('zh');
const en = tFor('en');

describe('the start language', () => {
  it('is the link’s, else the one kept in this browser, else the browser’s', () => {
    expect(startLang('zh', 'en', ['en-US'])).toBe('zh');
    expect(startLang(null, 'zh', ['en-US'])).toBe('zh');
    expect(startLang(undefined, null, ['zh-TW', 'en'])).toBe('zh');
    expect(startLang(undefined, 'klingon', ['fr'])).toBe('en');
    expect(htmlLang('zh')).toBe('zh-CN');
  });
});

describe('words in Chinese', () => {
  const r = runScenario(readCase(builtIn).value!);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const log = walkLog(r.world);

  it('translate the event list but keep kernel words and rule text', () => {
    const i = log.steps.findIndex((s) => s.kind === 'rule' && s.table === 'nat' && s.hook === 'PREROUTING' && s.host === 'router');
    const row = eventRow(log.steps[i]!, zh);
    expect(row.rule).toBe('规则 1：-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.1.100:80');
    expect(row.what).toBe('DNAT');
    expect(row.verdict).toBe(eventRow(log.steps[i]!, en).verdict);
    const route = log.steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'route' && s.host === 'router');
    expect(eventRow(log.steps[route]!, zh).what).toBe('路由（input）：forward dev eth1，table main');
  });

  it('word every end of a walk, and are computed once per log and language', () => {
    const rows = rowsIn(log, zh);
    expect(rowsIn(log, zh)).toBe(rows);
    for (const s of log.steps) if (s.kind === 'end') expect(rows[s.i]!.what).toMatch(/[\u4e00-\u9fff]/);
    expect(rowsIn(log, en)).not.toBe(rows);
  });

  it('translate the autosave’s notices, keeping unknown text as it is', () => {
    const damaged = decodeSave(JSON.stringify({ version: 1, scenario: { name: 'x', hosts: [] } })).problem!;
    expect(translateNotice(zh, damaged)).toBe('此浏览器中保存的场景已损坏（hosts: expected a list of at least one host），已忽略。');
    expect(translateNotice(en, damaged)).toBe(damaged);
    expect(translateNotice(zh, 'something else')).toBe('something else');
  });
});

describe('the packet form after a scenario is loaded', () => {
  const hosts = ['client', 'router', 'web'];
  it('starts from the scenario’s own first packet', () => {
    expect(initialChoice(builtIn, hosts)).toMatchObject({ from: 'client', kind: 'tcp', dst: '203.0.113.1', dport: '8080', data: 'GET / HTTP/1.0' });
    expect(initialChoice({ steps: [{ from: 'web', ping: '203.0.113.10' }] }, hosts)).toMatchObject({ from: 'web', kind: 'ping', dst: '203.0.113.10' });
    expect(initialChoice({ steps: [{ from: 'client', packet: { proto: 'tcp', dst: '10.0.0.1', dport: 22, flags: 'SA' } }] }, hosts)).toMatchObject({ kind: 'packet', proto: 'tcp', dport: '22', flags: 'SA' });
  });
  it('falls back to the built-in connect for what it cannot show', () => {
    expect(initialChoice({}, hosts)).toMatchObject({ from: 'client', kind: 'tcp', dst: '203.0.113.1', dport: '8080', data: '' });
    expect(initialChoice({ steps: [{ from: 'nobody', ping: '1.2.3.4' }] }, hosts).from).toBe('client');
  });
});
