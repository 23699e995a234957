// pattern: Functional Core
// VLAN 视图的中文文字：拓扑中的 VLAN 设备、添加 VLAN 接口的表单，以及所有 VLAN 行为的出处说明。
import type { enVlan } from './vlan.en';

export const zhVlan: Record<keyof typeof enVlan, string> = {
  'vlan.provenance': '依据内核源码建模：本机内核没有 8021q，因此 VLAN 设备按 net/8021q/ 源码实现，未在运行中的内核上核对。',
  'topo.vlan': 'VLAN {id}',
  'vlan.form.title': '添加 VLAN 接口',
  'vlan.form.host': '主机',
  'vlan.form.parent': '所在设备',
  'vlan.form.id': 'VLAN ID',
  'vlan.form.name': '名称',
  'vlan.form.address': '地址（可选）',
  'vlan.form.add': '添加 VLAN 接口',
  'vlan.form.badId': 'VLAN ID 是 0 到 4094 之间的数字。',
  'vlan.form.badAddress': '地址的写法如 10.0.10.1/24。',
};
