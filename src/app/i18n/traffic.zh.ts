// pattern: Functional Core
// 有状态流量的文字（shell/PacketForm.tsx、shell/TrafficTimeline.tsx），以及规则表单的端口字段和字段上的错误（editor/IptablesSection.tsx、editor/ui.tsx）：与 traffic.en.ts 的键一一对应。
import type { enTraffic } from './traffic.en';

export const zhTraffic: Record<keyof typeof enTraffic, string> = {
  'traffic.sendAnother': '再发送一个',
  'traffic.sendMoreConnections': '再发起 {n} 个连接',
  'traffic.sendMorePackets': '再发送 {n} 个数据包',
  'traffic.replace': '替换流量',
  'traffic.count': '数量',
  'traffic.hint':
    '“再发送一个”保留已有的流量及其留下的状态——conntrack 条目、IPVS 连接和调度器的位置、邻居表项——新的数据包会遇到这些状态。“替换流量”则只发送这些数据包，从空状态重新开始。',
  'traffic.problem.count': '数量必须是 1 到 {max} 之间的数字。',
  'traffic.problem.total': '一个场景最多包含 {max} 个流量步骤，当前已有 {n} 个：请少发送一些，或者替换流量。',
  'traffic.title': '已发送的流量',
  'traffic.empty': '还没有流量：请发送一个数据包。',
  'traffic.go': '跳到第 {n} 个流量步骤',
  'traffic.ipvs': 'IPVS → {server}',
  'traffic.connected': '已连接',
  'traffic.timeout': '无应答',
  'traffic.reply': '已应答',
  'traffic.icmpError': '来自 {from} 的 ICMP 错误',
  'traffic.sent': '已发送',
  'traffic.failed': '失败：{error}',
  'rule.sport': '源端口',
  'rule.dport': '目的端口',
  'rule.portHint': '端口号、服务名（ssh）或范围（1024:65535）；-p {proto} 会自动带上它的匹配模块 -m {proto}',
  'rule.oneError': '规则未添加：1 个错误。',
  'rule.errors': '规则未添加：{n} 个错误。',
};
