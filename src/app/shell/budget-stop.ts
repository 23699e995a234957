// pattern: Functional Core
// The words of a work-budget stop (WalkLog.stopped, src/engine/sim/budget.ts)
// in the reader's language: which budget ran out, with its limit, and where
// (scenario step, packet, host, table and hook, chain), as precisely as the
// engine knew it. The packet is named by its id in the walk log, the number
// the event list shows ("Packet 2 on b").

import type { WalkLog } from '../../engine/walk-log';
import type { MessageKey } from '../i18n/i18n';
import { tEn, type T } from '../i18n/lang';

export type BudgetStopView = NonNullable<WalkLog['stopped']>;

export interface BudgetStopWords {
  /** which budget ran out, with its limit */
  what: string;
  /** where it ran out */
  where: string;
  /** that the walk so far is kept and steppable */
  kept: string;
}

export function budgetStopWords(stop: BudgetStopView, t: T = tEn): BudgetStopWords {
  const num = (n: number) => n.toLocaleString(t.lang === 'zh' ? 'zh-CN' : 'en');
  const what = t(`budget.stop.${stop.budget}` as MessageKey, { limit: num(stop.limit) });
  const packet = stop.packet ?? stop.packetInStep;
  let where: string;
  if (packet !== null && stop.host !== null && stop.table !== null && stop.hook !== null && stop.chain !== null) {
    where = t('budget.whereChain', { step: num(stop.step), packet: num(packet), host: stop.host, table: stop.table, hook: stop.hook, chain: stop.chain });
  } else if (packet !== null && stop.host !== null) {
    where = t('budget.wherePacket', { step: num(stop.step), packet: num(packet), host: stop.host });
  } else where = t('budget.where', { step: num(stop.step) });
  return { what, where, kept: t('budget.kept') };
}
