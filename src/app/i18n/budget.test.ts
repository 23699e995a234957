// Every budget the engine can stop on has a message in both languages.
import { describe, expect, it } from 'vitest';
import { BUDGET_LIMITS, type BudgetName } from '../../engine/sim/budget';
import { enBudget } from './budget.en';
import { zhBudget } from './budget.zh';

describe('the work budget messages', () => {
  it('name every budget in English and Chinese, with its limit', () => {
    for (const name of Object.keys(BUDGET_LIMITS) as BudgetName[]) {
      const key = `budget.stop.${name}` as keyof typeof enBudget;
      expect(enBudget[key], name).toContain('{limit}');
      expect(zhBudget[key], name).toContain('{limit}');
    }
  });
});
