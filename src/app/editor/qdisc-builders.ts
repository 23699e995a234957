// pattern: Functional Core
// The `tc qdisc` command the qdisc form builds: the form stays in tc's
// words (tc-tbf(8), tc-pfifo(8), tc-htb(8)), and what it runs is the
// command the console would take. Each field's words are located in the
// command so that the engine's diagnostics can be shown on that field.

import { joinWords, shellWord, type FieldSpan } from './builders';

export const QDISC_KINDS = ['tbf', 'pfifo', 'htb'] as const;
export type QdiscKind = (typeof QDISC_KINDS)[number];

/** The form's fields, named as the spans name them. */
export type QdiscField = 'dev' | 'parent' | 'handle' | 'kind' | 'limit' | 'rate' | 'burst' | 'latency' | 'default';

export interface QdiscForm {
  op: 'add' | 'replace' | 'del';
  dev: string;
  /** root: the egress qdisc; ingress: the ingress qdisc (which has no kind of its own) */
  parent: 'root' | 'ingress';
  /** optional, e.g. 1: */
  handle: string;
  kind: QdiscKind;
  /** pfifo: packets; tbf: bytes (when `bound` is limit) */
  limit: string;
  /** tbf */
  rate: string;
  burst: string;
  /** tbf's queue bound: a byte limit or the longest wait (tc-tbf(8): one of the two) */
  bound: 'limit' | 'latency';
  latency: string;
  /** htb's default class minor, in hex as tc reads it */
  defaultClass: string;
}

export function emptyQdiscForm(): QdiscForm {
  return { op: 'add', dev: '', parent: 'root', handle: '', kind: 'tbf', limit: '', rate: '', burst: '', bound: 'limit', latency: '', defaultClass: '' };
}

interface Word {
  text: string;
  field?: QdiscField;
}

function optionWords(f: QdiscForm): Word[] {
  const w: Word[] = [];
  const opt = (name: string, value: string, field: QdiscField) => {
    if (value.trim() !== '') w.push({ text: name, field }, { text: shellWord(value.trim()), field });
  };
  switch (f.kind) {
    case 'pfifo':
      opt('limit', f.limit, 'limit');
      break;
    case 'tbf':
      opt('rate', f.rate, 'rate');
      opt('burst', f.burst, 'burst');
      if (f.bound === 'limit') opt('limit', f.limit, 'limit');
      else opt('latency', f.latency, 'latency');
      break;
    case 'htb':
      opt('default', f.defaultClass, 'default');
      break;
  }
  return w;
}

/**
 * The command and where each field's words are in it. `del` names only the
 * device and the place (the kernel finds the qdisc there); an ingress qdisc
 * is named by its place alone.
 * @example qdiscCommandSpans({ ...emptyQdiscForm(), dev: 'eth0', rate: '4kbit', burst: '1200', limit: '2100' }).command
 * // 'tc qdisc add dev eth0 root tbf rate 4kbit burst 1200 limit 2100'
 */
export function qdiscCommandSpans(f: QdiscForm): { command: string; spans: FieldSpan[] } {
  const words: Word[] = [{ text: 'tc' }, { text: 'qdisc' }, { text: f.op }, { text: 'dev', field: 'dev' }, { text: shellWord(f.dev.trim() || 'DEV'), field: 'dev' }, { text: f.parent, field: 'parent' }];
  if (f.op !== 'del') {
    if (f.handle.trim() !== '') words.push({ text: 'handle', field: 'handle' }, { text: shellWord(f.handle.trim()), field: 'handle' });
    if (f.parent === 'root') words.push({ text: f.kind, field: 'kind' }, ...optionWords(f));
  }
  return joinWords(words);
}

export function qdiscCommand(f: QdiscForm): string {
  return qdiscCommandSpans(f).command;
}
