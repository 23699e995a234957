// pattern: Functional Core
// 控制台自身的文字（见 console.en.ts）；各工具打印的内容保持原样，不翻译。
import type { enConsole } from './console.en';

export const zhConsole: Record<keyof typeof enConsole, string> = {
  'console.tools': '只读命令（显示当前步骤时的状态，不做任何修改）：iptables -L/-S、iptables-save [-c]、ip addr|link|route|rule|neigh、ip route get、ipvsadm -Ln、sysctl 名称、sysctl -a、conntrack -L、help。修改命令：iptables、ip、ipvsadm、sysctl -w、iptables-restore。按 Tab 补全。',
  'console.asOf': '第 {step} 步时的状态；未做任何修改',
  'console.asOfStart': '走查开始之前的状态；未做任何修改',
  'console.completions': 'Tab：{list}',
  'console.noCompletion': 'Tab：没有可补全的内容',
  'engine.what.query': '回答控制台命令',
};
