// pattern: Functional Core
// Why the browser refused to keep the scenario, named as the user can act on
// it. Browsers report three different situations with exceptions that look
// alike, and each needs its own advice:
//   quota        the store is full (older versions, other data): make room or export
//   too-large    the scenario alone is bigger than this browser's whole allowance: export
//   unavailable  storage is switched off (private browsing, blocked site data): nothing is kept at all
//   failed       anything else, with the browser's own words (made visible) for a bug report
// The names come from the Web IDL / HTML specs: QuotaExceededError (legacy
// code 22; Firefox's old NS_ERROR_DOM_QUOTA_REACHED, code 1014), SecurityError
// (storage access denied), and the IndexedDB open failures of private modes
// (InvalidStateError in Firefox, UnknownError in Safari).

import { escapeInvisible } from './visible-text';

export type StorageProblemKind = 'quota' | 'too-large' | 'unavailable' | 'failed';

export interface StorageProblem {
  kind: StorageProblemKind;
  /** the browser's error, `Name: message`, with invisible characters escaped */
  detail: string;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
}

const asErrorLike = (e: unknown): ErrorLike => (typeof e === 'object' && e !== null ? (e as ErrorLike) : {});

export function isQuotaError(e: unknown): boolean {
  const x = asErrorLike(e);
  return x.name === 'QuotaExceededError' || x.name === 'NS_ERROR_DOM_QUOTA_REACHED' || x.code === 22 || x.code === 1014;
}

export function isUnavailableError(e: unknown): boolean {
  const x = asErrorLike(e);
  return x.name === 'SecurityError' || x.name === 'InvalidStateError' || x.name === 'UnknownError' || x.name === 'InvalidAccessError';
}

export function errorDetail(e: unknown): string {
  const x = asErrorLike(e);
  const name = typeof x.name === 'string' ? x.name : 'Error';
  const message = typeof x.message === 'string' ? x.message : typeof e === 'string' ? e : String(e);
  return escapeInvisible(message ? `${name}: ${message}` : name).slice(0, 300);
}

/**
 * Name a storage failure. `bytes` is what the write needed; `quotaBytes` the
 * browser's whole allowance for this site when known
 * (navigator.storage.estimate().quota, or localStorage's ~5 MB).
 *
 * @example classifyStorageError(new DOMException('', 'QuotaExceededError'), 6e6, 5e6).kind === 'too-large'
 */
export function classifyStorageError(e: unknown, bytes: number, quotaBytes: number | null): StorageProblem {
  const detail = errorDetail(e);
  if (isQuotaError(e)) return { kind: quotaBytes !== null && bytes >= quotaBytes ? 'too-large' : 'quota', detail };
  if (isUnavailableError(e)) return { kind: 'unavailable', detail };
  return { kind: 'failed', detail };
}

/** Bytes a JavaScript string takes in the browser's stores (UTF-16). */
export const stringBytes = (s: string | number): number => (typeof s === 'number' ? s : s.length) * 2;
