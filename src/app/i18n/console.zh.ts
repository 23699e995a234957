// pattern: Functional Core
// 控制台自身的文字（见 console.en.ts）；各工具打印的内容保持原样，不翻译。
import type { enConsole } from './console.en';

export const zhConsole: Record<keyof typeof enConsole, string> = {
  'console.tools': '只读命令（显示当前步骤时的状态，不做任何修改）：iptables -L/-S、iptables-save [-c]、ip addr|link|route|rule|neigh|tunnel、ip route get、ip netns list、ipvsadm -Ln、sysctl 名称、sysctl -a、conntrack -L、ss -tuln|-tan|-s、bridge link|fdb|vlan、tc [-s] qdisc|class show、ifconfig [-a]、route -n、arp -n、netstat -tuln|-tan|-rn|-i、help。修改命令：iptables、ip（含 ip netns add|del|exec）、ipvsadm、sysctl -w、bridge vlan add|del（依据内核源码建模）、tc qdisc|class|filter add|replace|change|del、iptables-restore，以及 ifconfig/route/arp -s|-d（翻译成 ip 命令）。按 Tab 补全。',
  'console.translated': 'net-tools → iproute2：实验环境执行了',
  'console.why.ifconfig-link': '为什么用 iproute2：ifconfig 通过 ioctl 一次只改一项设置（SIOCSIFFLAGS、SIOCSIFMTU）；ip link 使用 netlink，一条消息就能携带链路的全部属性，并能把变化通知回来（ip monitor）。',
  'console.why.ifconfig-addr': '为什么用 iproute2：SIOCSIFADDR 每个标签只保留一个地址并直接替换它（连同它的从地址和相关路由一起删掉）；ip addr 可以在同一接口上逐个添加、删除多个地址（有无标签均可）并全部显示——ifconfig 永远看不到没有标签的第二个地址。',
  'console.why.route': '为什么用 iproute2：route 只认识 main 路由表（SIOCADDRT/SIOCDELRT）；ip route 能操作所有路由表，ip rule 管理选择路由表的策略规则——这些 route -n 都显示不出来。',
  'console.why.route-prepend': '为什么用 iproute2：SIOCADDRT 会在同一前缀的已有路由旁再加一条（不带 NLM_F_EXCL），这相当于 ip route prepend，而不是 ip route add；而且 route 只认识 main 表，ip route 和 ip rule 才能操作所有路由表和策略规则。',
  'console.why.arp': '为什么用 iproute2：arp 只能操作 IPv4 的 ARP 表，每次 ioctl 改一条（SIOCSARP、SIOCDARP）；ip neigh 能处理所有邻居表，显示每条表项的状态（REACHABLE、STALE、FAILED、PERMANENT 等），还能按设备或状态批量清除。',
  'console.asOf': '第 {step} 步时的状态；未做任何修改',
  'console.asOfStart': '走查开始之前的状态；未做任何修改',
  'console.completions': 'Tab：{list}',
  'console.noCompletion': 'Tab：没有可补全的内容',
  'engine.what.query': '回答控制台命令',
};
