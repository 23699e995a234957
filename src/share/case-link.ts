// pattern: Functional Core
// `packetwalk share CASE.json`: an oracle case file's text to the link path
// that opens it. The link is decoded again before it is printed, so the
// command refuses exactly what the app would refuse.

import { decodeShare, sharePath, shareSizeClass, type Lang, type ShareSizeClass } from './link';
import type { Case } from '../engine/scenario/case';

export type CaseLinkResult = { ok: true; path: string; size: ShareSizeClass } | { ok: false; message: string };

export interface CaseLinkOptions {
  step?: number;
  lang?: Lang;
  packet?: number;
}

export function caseLink(text: string, opts: CaseLinkOptions = {}): CaseLinkResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON: ${(e as Error).message}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, message: 'a case file must be a JSON object' };
  const path = sharePath({ scenario: json as Case, ...opts });
  const back = decodeShare(path);
  if (!back.ok) return { ok: false, message: `${back.error.kind}: ${back.error.detail}` };
  return { ok: true, path, size: shareSizeClass(path.length - 2) };
}
