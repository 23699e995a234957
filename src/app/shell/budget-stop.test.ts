// The page's words for a work-budget stop: the budget and its limit, then
// where, as precisely as the engine knew it, in English and in Chinese.
import { describe, expect, it } from 'vitest';
import { tFor } from '../i18n/lang';
import { loadLang } from '../i18n/i18n';
import { budgetStopWords, type BudgetStopView } from './budget-stop';

const inChain: BudgetStopView = {
  code: 'budget/events',
  budget: 'events',
  limit: 300_000,
  step: 1,
  packetInStep: 2,
  packet: 2,
  host: 'b',
  hook: 'INPUT',
  table: 'filter',
  chain: 'C29',
};

describe('the budget stop in words', () => {
  it('names the budget with its limit and the chain, host, packet and step where it ran out', () => {
    expect(budgetStopWords(inChain)).toEqual({
      what: 'The simulation stopped: more than 300,000 TRACE events.',
      where: 'It ran out in step 1, packet 2, on host b, in filter INPUT, chain C29.',
      kept: 'Everything walked until then is kept: you can step through it.',
    });
  });

  it('says only what is known: a packet on a host outside any chain, or only the step', () => {
    expect(budgetStopWords({ ...inChain, hook: null, table: null, chain: null }).where).toBe('It ran out in step 1, packet 2, on host b.');
    const between = { ...inChain, budget: 'steps', code: 'budget/steps', limit: 2500, step: 2501, packet: null, packetInStep: null, host: null, hook: null, table: null, chain: null } as const;
    expect(budgetStopWords(between)).toMatchObject({ what: 'The simulation stopped: more than 2,500 traffic steps.', where: 'It ran out in step 2,501.' });
  });

  it('speaks Chinese', async () => {
    await loadLang('zh');
    const w = budgetStopWords(inChain, tFor('zh'));
    expect(w.what).toBe('模拟已停止：TRACE 事件超过 300,000 个。');
    expect(w.where).toBe('在第 1 步、第 2 个数据包、主机 b 的 filter INPUT、链 C29 中耗尽。');
    expect(w.kept).toBe('此前模拟的所有内容都已保留，可以逐步查看。');
  });
});
