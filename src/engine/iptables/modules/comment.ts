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
  parse(o, call, sink) {
    // XT_MAX_COMMENT_LEN is 256 including the terminating NUL
    if (call.arg.length > 255) {
      sink.error(`comment: argument to "--comment" is too long (max 255 chars).`, call.argSpan);
      return;
    }
    o.comment = call.arg;
  },
  final(o, sink) {
    if (o.comment === null) sink.error('comment: option "--comment" must be specified');
  },
  save: (o) => `--comment ${saveString(o.comment ?? '')}`,
  match: () => true,
  explain: (o) => [{ ok: true, why: `comment "${o.comment ?? ''}" always matches` }],
};
