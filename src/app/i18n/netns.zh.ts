// pattern: Functional Core
// 命名空间视图的中文文字：在主机内添加网络命名空间的表单，以及拓扑中的命名空间框。
import type { enNetns } from './netns.en';

export const zhNetns: Record<keyof typeof enNetns, string> = {
  'netns.form.title': '添加网络命名空间',
  'netns.form.about': 'ip netns add、一对 veth 和 ip link set … netns：在这台主机内的第二个网络栈，有自己的路由和 iptables。',
  'netns.form.name': '命名空间',
  'netns.form.hostDev': '主机内的 veth',
  'netns.form.nsDev': '命名空间内的 veth',
  'netns.form.hostAddress': '主机端地址',
  'netns.form.nsAddress': '命名空间端地址',
  'netns.form.add': '添加命名空间',
  'netns.form.badName': 'a-z、0-9、_；最多 15 个字符，以字母开头',
  'netns.form.badDevice': '两个不同的设备名',
  'netns.form.badAddress': '地址/前缀长度，例如 10.200.0.1/30',
  'topo.netns': '{host} 内的命名空间',
};
