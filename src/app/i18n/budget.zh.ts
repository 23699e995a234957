// pattern: Functional Core
// 工作预算耗尽时的提示（WalkLog.stopped，src/engine/sim/budget.ts）。
import type { enBudget } from './budget.en';

export const zhBudget: Record<keyof typeof enBudget, string> = {
  'budget.stop.rules': '模拟已停止：规则访问超过 {limit} 次。',
  'budget.stop.events': '模拟已停止：TRACE 事件超过 {limit} 个。',
  'budget.stop.packets': '模拟已停止：数据包超过 {limit} 个。',
  'budget.stop.frames': '模拟已停止：一次发送后在途的帧超过 {limit} 个（可能存在转发或桥接环路）。',
  'budget.stop.steps': '模拟已停止：流量步骤超过 {limit} 个。',
  'budget.stop.log': '模拟已停止：日志条目（事件、注释和 conntrack 行）超过 {limit} 条。',
  'budget.where': '在第 {step} 步耗尽。',
  'budget.wherePacket': '在第 {step} 步、第 {packet} 个数据包、主机 {host} 上耗尽。',
  'budget.whereChain': '在第 {step} 步、第 {packet} 个数据包、主机 {host} 的 {table} {hook}、链 {chain} 中耗尽。',
  'budget.kept': '此前模拟的所有内容都已保留，可以逐步查看。',
  'budget.title': '模拟提前停止',
  'budget.goto': '转到停止的位置',
};
