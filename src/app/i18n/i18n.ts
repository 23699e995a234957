// pattern: Functional Core
// The UI's two languages. Every string the app shows is a key in `en`; `zh`
// must have exactly the same keys (the test enforces it) in natural
// Simplified Chinese. Kernel and tool words — PREROUTING, DNAT, conntrack,
// `ip rule`, iptables, TRACE — stay as they are in both languages.
// A missing key renders as ⟦key⟧ so e2e tests can catch it on screen.

import { en } from './en';
import type { Lang } from './langs';

export { LANGS, detectLang, isLang, type Lang } from './langs';
export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

// English is always there (it is every key's fallback); Chinese is loaded
// when it is first needed, so English readers do not download it.
const DICTS: Record<Lang, Partial<Messages> | null> = { en, zh: null };

export function hasLang(lang: Lang): boolean {
  return DICTS[lang] !== null;
}

/** Make a language's strings available (a no-op once loaded). */
export async function loadLang(lang: Lang): Promise<void> {
  if (lang === 'zh' && DICTS.zh === null) DICTS.zh = (await import('./zh')).zh;
}

/** `{name}` placeholders are replaced by params. A language not loaded yet reads as English. */
export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const s = DICTS[lang]?.[key] ?? DICTS.en?.[key];
  if (s === undefined) return `⟦${key}⟧`;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}
