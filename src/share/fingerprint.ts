// pattern: Functional Core
// The fingerprint a saved scenario is known by (state/vault.ts): FNV-1a of
// its JSON text with the text's length, enough to tell "unchanged". Here,
// apart from the vault, because the worker computes it for the case text it
// hands the page, so a 50,000-rule lab is not hashed on the main thread.

import type { Case } from '../engine/scenario/case';
import type { Sliced } from '../engine/text/slices';

const FNV_OFFSET = 0x811c9dc5;

function fnv1a(text: string, from: number, to: number, h: number): number {
  for (let i = from; i < to; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function fingerprintText(text: string): string {
  return `${text.length}:${fnv1a(text, 0, text.length, FNV_OFFSET).toString(16)}`;
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

/** Characters hashed between two pauses of serializeCaseSliced (a few milliseconds). */
const HASH_SLICE = 1 << 20;

/**
 * serializeCase, pausing after the JSON text is made and between slices of
 * its hash (engine/text/slices.ts): a 50,000-rule case is 7 MB of text.
 */
export function* serializeCaseSliced(c: Case): Sliced<SerializedCase> {
  const text = JSON.stringify(c);
  let h = FNV_OFFSET;
  for (let from = 0; from < text.length; from += HASH_SLICE) {
    yield;
    h = fnv1a(text, from, Math.min(text.length, from + HASH_SLICE), h);
  }
  return { case: c, text, fp: `${text.length}:${h.toString(16)}` };
}
