// pattern: Functional Core
// 引擎 worker 的故障与重启，以及崩溃保护的提示。
import type { enEngine } from './engine.en';

export const zhEngine: Record<keyof typeof enEngine, string> = {
  'engine.timeout': '引擎处理此任务超过 {s} 秒，已被停止；场景保持不变。',
  'engine.crashed': '引擎意外停止，已重新启动；场景保持不变。',
  'engine.cancelled': '已要求引擎停止此任务。',
  'engine.stackOverflow': '引擎的调用栈耗尽：场景嵌套过深（例如链跳转到链，深达数千层）。',
  'engine.outOfMemory': '引擎在此场景上内存耗尽。',
  'engine.protocol': '页面与引擎无法互相理解，请重新加载页面。',
  'engine.internal': '引擎处理此场景失败（内部错误，详情见浏览器控制台）。',
  'engine.restartedTimeout': '引擎{what}已超过 {s} 秒，因此被停止并启动了新的引擎。你的场景保持不变。',
  'engine.restartedCrash': '引擎在{what}时意外停止，已重新启动。你的场景保持不变。',
  'engine.what.simulate': '模拟数据包路径',
  'engine.what.edit': '应用编辑',
  'engine.what.export': '导出场景',
  'engine.what.explain': '解释规则',
  'engine.what.kube-scaling': '测量 kube-proxy',
  'engine.dismiss': '关闭',
  'guard.title': '流量已暂缓发送',
  'guard.held': '上次访问时此场景的模拟没有完成：流量运行期间页面停止或被关闭。现在显示了它的主机和规则，但没有发送它的流量（{n} 步）。',
  'guard.progress': '已发送 {sent} / {n} 步流量。',
  'guard.next': '发送第 {k} / {n} 步',
  'guard.all': '发送全部 {n} 步',
  'guard.discard': '丢弃此场景',
};
