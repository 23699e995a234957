// pattern: Functional Core
// -m comment (libxt_comment): always matches; the text is for humans.

import type { MatchSpec } from './module';
import { saveString } from './module';

export interface CommentOptions {
  comment: string | null;
}

export const comment: MatchSpec<CommentOptions> = {
  name: 'comment',
  options: [{ name: 'comment', arg: true, invert: false }],
  init: () => ({ comment: null }),
  parse(o, call) {
    // XT_MAX_COMMENT_LEN is 256 including the terminating NUL: iptables 1.8.9 cuts a longer
    // comment to 255 bytes without a word (recorded: restore-real "comment-longer-than-255-is-cut")
    o.comment = cutToBytes(call.arg, 255);
  },
  final(o, sink) {
    if (o.comment === null) sink.error('comment: option "--comment" must be specified');
  },
  save: (o) => `--comment ${saveString(o.comment ?? '')}`,
  match: () => true,
  explain: (o) => [{ ok: true, why: `comment "${o.comment ?? ''}" always matches` }],
};

/** The longest prefix of s that fits in `max` UTF-8 bytes (never half a character). */
function cutToBytes(s: string, max: number): string {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const b = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    if (bytes + b > max) return s.slice(0, i);
    bytes += b;
  }
  return s;
}
