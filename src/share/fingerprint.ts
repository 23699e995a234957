// pattern: Functional Core
// The fingerprint a saved scenario is known by (state/vault.ts): FNV-1a of
// its JSON text with the text's length, enough to tell "unchanged". Here,
// apart from the vault, because the worker computes it for the case text it
// hands the page, so a 50,000-rule lab is not hashed on the main thread.

import type { Case } from '../engine/scenario/case';

export function fingerprintText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${text.length}:${h.toString(16)}`;
}

/** A case with its JSON text and fingerprint, made where the case was (the worker): the vault saves the text as it is. */
export interface SerializedCase {
  case: Case;
  text: string;
  fp: string;
}

export function serializeCase(c: Case): SerializedCase {
  const text = JSON.stringify(c);
  return { case: c, text, fp: fingerprintText(text) };
}
