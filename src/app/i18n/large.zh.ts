// pattern: Functional Core
// 大量输入：替代长下拉框的可搜索列表，以及过大而无法显示的导入文本。
import type { enLarge } from './large.en';

export const zhLarge: Record<keyof typeof enLarge, string> = {
  'combo.count': '共 {n} 个选项：输入以搜索，按 ↓ 列出。',
  'combo.none': '没有匹配项。',
  'combo.more': '显示 {n} 个匹配项中的前 {shown} 个：继续输入以缩小范围。',
  'combo.all': '{n} 个匹配项。',
  'import.pasted': '粘贴的文本',
  'import.pasteRefused': '浏览器不允许页面读取粘贴的内容：请再粘贴一次。',
  'import.reading': '正在读取文本… {pct}%',
  'import.cancel': '停止导入',
  'import.cancelled': '导入已停止，没有任何更改。',
};
