// pattern: Functional Core
// The ways a request to the engine worker can fail without an answer from
// the engine, as one typed error. Its message is a fixed English sentence
// (the page translates it, see app/shell/notices.ts); what the worker really
// said is kept in `detail` for the console and bug reports, never shown raw.

import type { EngineErrorCode, SerializedError } from './protocol';

export type EngineFailureKind =
  /** the request ran past its time budget: the worker was stopped and started again */
  | 'timeout'
  /** the worker died (an uncaught error, the browser killed it) */
  | 'crashed'
  /** the caller gave up on it, or a newer request of the same kind replaced it */
  | 'cancelled'
  | EngineErrorCode;

const SENTENCE: Record<EngineFailureKind, (seconds: number) => string> = {
  timeout: (s) => `The engine worked on this for more than ${s} s and was stopped; the scenario is kept.`,
  crashed: () => 'The engine stopped unexpectedly and was started again; the scenario is kept.',
  cancelled: () => 'The engine was asked to stop this.',
  'stack-overflow': () => 'The engine ran out of stack: the scenario nests too deeply (for example, chains that jump to chains thousands of levels deep).',
  'out-of-memory': () => 'The engine ran out of memory on this scenario.',
  protocol: () => 'The page and the engine did not understand each other; reload the page.',
  internal: () => 'The engine failed on this scenario (an internal error; details are in the browser console).',
  gone: () => 'The engine no longer has this scenario open; reload the page to open it again.',
};

export class EngineFailure extends Error {
  override readonly name = 'EngineFailure';
  readonly kind: EngineFailureKind;
  /** what the worker or the browser said, for the console only */
  readonly detail: string;
  /** the request's time budget, for timeouts */
  readonly seconds: number;

  constructor(kind: EngineFailureKind, detail = '', seconds = 0) {
    super(SENTENCE[kind](seconds));
    this.kind = kind;
    this.detail = detail;
    this.seconds = seconds;
  }
}

/** The failure an error response from the worker stands for. */
export function failureOf(error: SerializedError): EngineFailure {
  return new EngineFailure(error.code ?? 'internal', `${error.name}: ${error.message}`);
}

export const isEngineFailure = (e: unknown): e is EngineFailure => e instanceof EngineFailure;

/** The sentences, so the page can recognise them in texts kept in its stores. */
export const FAILURE_PATTERNS: readonly [RegExp, EngineFailureKind][] = [
  [/^The engine worked on this for more than (\d+(?:\.\d+)?) s and was stopped/, 'timeout'],
  [/^The engine stopped unexpectedly and was started again/, 'crashed'],
  [/^The engine was asked to stop this/, 'cancelled'],
  [/^The engine ran out of stack/, 'stack-overflow'],
  [/^The engine ran out of memory/, 'out-of-memory'],
  [/^The page and the engine did not understand each other/, 'protocol'],
  [/^The engine failed on this scenario \(an internal error/, 'internal'],
  [/^The engine no longer has this scenario open/, 'gone'],
];
