// pattern: Functional Core
// Progress as plain, versioned records the page can keep in localStorage,
// export as a file and import again, and a short result code a student can
// hand in. The code is a hash of the challenge, the seed, the solution (its
// commands, comments and blank lines left out) and the result: anyone with
// the solution can recompute it, and re-running the checker on that solution
// shows whether the result is true. It is a checksum, not a signature (there
// is no server to keep a secret).

export const PROGRESS_VERSION = 1;

export interface ProgressRecord {
  v: typeof PROGRESS_VERSION;
  id: string;
  seed: number;
  passed: boolean;
  /** edit commands the solution ran */
  commands: number;
  /** resultCode(id, seed, solution, passed, commands) */
  code: string;
}

export interface ProgressFile {
  v: typeof PROGRESS_VERSION;
  records: ProgressRecord[];
}

/** The solution lines that matter: commands, `# host` and `# answer` lines, trimmed. */
export function normalizeSolution(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && (!l.startsWith('#') || /^#\s*(host|answer)\b/.test(l)))
    .map((l) => l.replace(/\s+/g, ' '))
    .join('\n');
}

/** FNV-1a over UTF-16 code units from a given offset basis: two bases give 64 bits. */
function fnv1a(s: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(n: number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) {
    out = ALPHABET[n % 32]! + out;
    n = Math.floor(n / 32);
  }
  return out;
}

/**
 * A short code for one result: `ID-SEED-P|F-HASH` (HASH 12 characters).
 *
 * @example
 * resultCode('ssh-only', 7, '# host server\niptables -P INPUT DROP\n', false, 1) // 'ssh-only-7-F-…'
 */
export function resultCode(id: string, seed: number, solution: string, passed: boolean, commands: number): string {
  const text = `${PROGRESS_VERSION}\n${id}\n${seed}\n${passed ? 1 : 0}\n${commands}\n${normalizeSolution(solution)}`;
  const hash = base32(fnv1a(text, 0x811c9dc5), 6) + base32(fnv1a(text, 0x050c5d1f), 6);
  return `${id}-${seed}-${passed ? 'P' : 'F'}-${hash}`;
}

export function progressRecord(r: { id: string; seed: number; passed: boolean; commands: number }, solution: string): ProgressRecord {
  return { v: PROGRESS_VERSION, id: r.id, seed: r.seed, passed: r.passed, commands: r.commands, code: resultCode(r.id, r.seed, solution, r.passed, r.commands) };
}

/** Does the record's code belong to this solution (the result itself is checked by running the checker again)? */
export function codeMatches(record: ProgressRecord, solution: string): boolean {
  return record.code === resultCode(record.id, record.seed, solution, record.passed, record.commands);
}

/** The better of two records of one challenge and seed: passed over not, then fewer commands. */
function better(a: ProgressRecord, b: ProgressRecord): ProgressRecord {
  if (a.passed !== b.passed) return a.passed ? a : b;
  return b.commands < a.commands ? b : a;
}

/** Progress with a record added (or kept, when the one there is better). */
export function addRecord(file: ProgressFile, r: ProgressRecord): ProgressFile {
  const i = file.records.findIndex((x) => x.id === r.id && x.seed === r.seed);
  if (i < 0) return { ...file, records: [...file.records, r] };
  const records = [...file.records];
  records[i] = better(records[i]!, r);
  return { ...file, records };
}

/** Two progress files as one (an import into what this browser kept). */
export function mergeProgress(a: ProgressFile, b: ProgressFile): ProgressFile {
  return b.records.reduce(addRecord, a);
}

export function emptyProgress(): ProgressFile {
  return { v: PROGRESS_VERSION, records: [] };
}

type Read<T> = { ok: true; value: T } | { ok: false; error: string };

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function readRecord(x: unknown, at: string): Read<ProgressRecord> {
  if (!isObj(x)) return { ok: false, error: `${at}: expected an object` };
  if (x.v !== PROGRESS_VERSION) return { ok: false, error: `${at}.v: expected ${PROGRESS_VERSION}` };
  if (typeof x.id !== 'string' || !/^[a-z0-9-]{1,64}$/.test(x.id)) return { ok: false, error: `${at}.id: expected a challenge id` };
  if (typeof x.seed !== 'number' || !Number.isSafeInteger(x.seed) || x.seed < 0) return { ok: false, error: `${at}.seed: expected a whole number ≥ 0` };
  if (typeof x.passed !== 'boolean') return { ok: false, error: `${at}.passed: expected true or false` };
  if (typeof x.commands !== 'number' || !Number.isSafeInteger(x.commands) || x.commands < 0) return { ok: false, error: `${at}.commands: expected a whole number ≥ 0` };
  if (typeof x.code !== 'string' || !x.code.startsWith(`${x.id}-${x.seed}-${x.passed ? 'P' : 'F'}-`)) return { ok: false, error: `${at}.code: does not name this record's challenge, seed and result` };
  return { ok: true, value: { v: PROGRESS_VERSION, id: x.id, seed: x.seed, passed: x.passed, commands: x.commands, code: x.code } };
}

/** A progress file from outside (an import), checked field by field. */
export function readProgress(json: unknown): Read<ProgressFile> {
  if (!isObj(json)) return { ok: false, error: 'expected an object' };
  if (json.v !== PROGRESS_VERSION) return { ok: false, error: `v: expected ${PROGRESS_VERSION}, this progress is from another version` };
  if (!Array.isArray(json.records)) return { ok: false, error: 'records: expected a list' };
  let file = emptyProgress();
  for (let i = 0; i < json.records.length; i++) {
    const r = readRecord(json.records[i], `records[${i}]`);
    if (!r.ok) return r;
    file = addRecord(file, r.value);
  }
  return { ok: true, value: file };
}

/**
 * All of a student's results as one short text to hand in:
 * `pw1.ID_SEED_P|F_COMMANDS_HASH.…~CHECK`, each record with its result
 * code's hash (so the solution it was made from can still be checked with
 * the CLI) and a checksum over the whole, so a result changed by hand (a
 * challenge, a seed, an F made a P) no longer matches. Like the result code
 * it is a checksum, not a signature.
 *
 * @example
 * summaryCode([progressRecord({ id: 'ssh-only', seed: 3, passed: true, commands: 2 }, '…')]) // 'pw1.ssh-only_3_P_2_…~…'
 */
export function summaryCode(records: readonly ProgressRecord[]): string {
  const body = [...records]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.seed - b.seed))
    .map((r) => `${r.id}_${r.seed}_${r.passed ? 'P' : 'F'}_${r.commands}_${r.code.slice(r.code.lastIndexOf('-') + 1)}`)
    .join('.');
  const payload = `pw${PROGRESS_VERSION}.${body}`;
  return `${payload}~${base32(fnv1a(payload, 0x811c9dc5), 4)}${base32(fnv1a(payload, 0x050c5d1f), 4)}`;
}

export interface SummaryResult {
  id: string;
  seed: number;
  passed: boolean;
  commands: number;
  /** the record's result code, as the student's page showed it */
  code: string;
}

export type SummaryProblem = 'prefix' | 'version' | 'no-checksum' | 'syntax' | 'unknown' | 'checksum';

export type SummaryRead = { ok: true; value: SummaryResult[] } | { ok: false; error: string; reason: SummaryProblem; /** 1-based result the problem is in */ at?: number; item?: string };

/** The results a summary code holds, or where it is broken; `known`: the course's challenge ids. */
export function readSummaryCode(text: string, known?: ReadonlySet<string>): SummaryRead {
  const t = text.trim();
  const tilde = t.lastIndexOf('~');
  if (!t.startsWith('pw')) return { ok: false, reason: 'prefix', error: 'expected a code that starts with “pw1.”' };
  if (!t.startsWith(`pw${PROGRESS_VERSION}.`)) return { ok: false, reason: 'version', error: `this code is from another version (expected “pw${PROGRESS_VERSION}.”)` };
  if (tilde < 0) return { ok: false, reason: 'no-checksum', error: 'the checksum after “~” is missing: was the code cut short?' };
  const payload = t.slice(0, tilde);
  const check = t.slice(tilde + 1);
  const out: SummaryResult[] = [];
  const items = payload.slice(`pw${PROGRESS_VERSION}.`.length).split('.').filter(Boolean);
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!.slice(0, 80);
    const m = /^([a-z0-9-]{1,64})_(\d{1,10})_([PF])_(\d{1,6})_([0-9a-z]{12})$/.exec(items[k]!);
    if (!m) return { ok: false, reason: 'syntax', at: k + 1, item, error: `result ${k + 1} “${item}”: expected ID_SEED_P|F_COMMANDS_HASH` };
    const id = m[1]!;
    if (known && !known.has(id)) return { ok: false, reason: 'unknown', at: k + 1, item: id, error: `result ${k + 1}: there is no challenge “${id}”` };
    const passed = m[3] === 'P';
    out.push({ id, seed: Number(m[2]), passed, commands: Number(m[4]), code: `${id}-${m[2]}-${m[3]}-${m[5]}` });
  }
  if (check !== `${base32(fnv1a(payload, 0x811c9dc5), 4)}${base32(fnv1a(payload, 0x050c5d1f), 4)}`) return { ok: false, reason: 'checksum', error: 'the checksum does not match: this code was changed after it was made, or mistyped' };
  return { ok: true, value: out };
}
