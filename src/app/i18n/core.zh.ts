// pattern: Functional Core
// 应用外壳、面板、编辑器、分享、示例库与演示模式的中文文字。
import type { enCore } from './core.en';

export const zhCore: Record<keyof typeof enCore, string> = {
  'app.title': 'PacketWalk',
  'lang.label': '语言',
  'lang.en': 'English',
  'lang.zh': '简体中文',
};
