// pattern: Functional Core
// Share links: the whole app state in the URL hash, so a link opened in a
// new browser reproduces the same scenario, packet, step and language.
//
//   #s=<version>.<codec>.<payload>&step=N&lang=zh
//
// payload (format 1) = base64url( varint(N) ‖ deflate-raw(JSON) ‖ crc32(JSON) )
// with N the length of the deflate data and JSON = {c: case, p?: packet}.
// Format 2 is format 1 with one more optional key in the JSON, l: the
// gallery lesson shown beside the walk (its id). encodeShare writes the
// lowest format that holds the state: 1 without a lesson, so such links
// still open in an app that reads only format 1; an app that reads only
// format 1 says of a format-2 link that a newer PacketWalk made it, rather
// than dropping the lesson without a word.
// The length tells a link cut short ('truncated': ask for the rest) from a
// damaged one ('corrupt'), and lets junk glued to the end be ignored; the
// CRC-32 (of the JSON text) catches damage deflate itself does not notice.
// `step` and `lang` stay readable so an instructor can edit them by hand.
//
// Every released format version keeps decoding: DECODERS has one entry per
// version, and src/share/__fixtures__/links-v<N>.txt holds links of each
// version that a test decodes forever. Format 1 has two codecs:
//   d  deflate-raw with the frozen preset dictionary of dictionary-v1.ts
//      (what encodeShare writes: the usual scenario words cost almost nothing)
//   z  plain deflate-raw, what a tool without a preset dictionary can write
//      (CompressionStream('deflate-raw') has no dictionary option)
//
// A link comes from a stranger. Decoding never throws and never runs
// anything: it bounds the input, inflates with an output cap (a zip bomb
// stops at 2 MB), refuses hostile content (prototype-pollution keys, markup
// in display text, deep nesting), checks the exact schema (schema.ts) and
// returns either the state or one ShareError.

import { Inflate, deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import { DICTIONARY_V1_TEXT } from './dictionary-v1';
import type { Case } from '../engine/scenario/case';
import { validatePayloadV1, validatePayloadV2, type SharePayload, type ValidationResult } from './schema';

export type Lang = 'en' | 'zh';

export interface ShareState {
  /** the scenario: an oracle case file object (shared/oracle/FORMAT.md §1) */
  scenario: Case;
  /** the selected packet (WalkLog packet id) */
  packet?: number;
  /** the gallery entry (its id) whose lesson is shown beside the walk (format 2) */
  lesson?: string;
  /** the playback step (WalkLog step index) */
  step?: number;
  lang?: Lang;
}

export type ShareErrorKind = 'truncated' | 'corrupt' | 'too-large' | 'unsupported-version' | 'invalid' | 'hostile';

export interface ShareError {
  kind: ShareErrorKind;
  /** what exactly is wrong, in English, for the details line under the translated message */
  detail: string;
}

export type DecodeResult = { ok: true; state: ShareState; step?: number; lang?: Lang } | { ok: false; error: ShareError };

/** The format encodeShare writes for a state without a lesson. */
export const SHARE_FORMAT_VERSION = 1;
/** The format encodeShare writes for a state with a lesson. */
export const SHARE_FORMAT_VERSION_LESSON = 2;
/** Decompressed payloads larger than this are refused while inflating. */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
/** Longer hashes are refused before any work (≈ base64 of MAX_PAYLOAD_BYTES incompressible bytes). */
export const MAX_HASH_CHARS = 2_900_000;
const MAX_STEP = 10_000_000;
const MAX_DEPTH = 12;
const MAX_NODES = 200_000;

/** The user-facing message of each error kind, in both languages. */
export const SHARE_ERROR_TEXT: Readonly<Record<ShareErrorKind, { en: string; zh: string }>> = {
  truncated: {
    en: 'This link is incomplete: it was probably cut off when it was copied or sent. Ask for the whole link.',
    zh: '这个链接不完整，可能在复制或发送时被截断了。请向对方要完整的链接。',
  },
  corrupt: {
    en: 'This link is damaged and cannot be read.',
    zh: '这个链接已损坏，无法读取。',
  },
  'too-large': {
    en: 'This link holds more than PacketWalk opens from a link. Share the scenario as a file instead.',
    zh: '这个链接的内容超出了 PacketWalk 从链接打开的上限。请改用文件分享场景。',
  },
  'unsupported-version': {
    en: 'This link was made by a newer or unknown version of PacketWalk.',
    zh: '这个链接来自较新或未知版本的 PacketWalk。',
  },
  invalid: {
    en: 'This link does not contain a valid scenario.',
    zh: '这个链接中的场景无效。',
  },
  hostile: {
    en: 'This link contains content that PacketWalk refuses to open.',
    zh: '这个链接包含 PacketWalk 拒绝打开的内容。',
  },
};

let dictionaryV1: Uint8Array | null = null;
function dictV1(): Uint8Array {
  return (dictionaryV1 ??= strToU8(DICTIONARY_V1_TEXT));
}

// ---------------------------------------------------------------- base64url

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

function toBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
  }
  return out;
}

/** null: not base64url; 'truncated': a length no encoder produces (a cut in the middle of a group). */
function fromBase64url(s: string): Uint8Array | null | 'truncated' {
  if (s.length % 4 === 1) return 'truncated';
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

// ---------------------------------------------------------------- inflate

type Inflated = { ok: true; bytes: Uint8Array } | { ok: false; error: ShareError };

function flateError(e: unknown): ShareError {
  // the framing already proved the deflate data complete, so even "unexpected EOF" is damage
  return { kind: 'corrupt', detail: `the compressed data is damaged (${(e as Error)?.message ?? String(e)})` };
}

/**
 * Inflate with a hard output cap. A first streaming pass only counts bytes
 * and stops as soon as the cap is passed, so a zip bomb costs at most one
 * chunk's expansion; the second, one-shot pass (now known to be small) is
 * the one that reports a stream cut short, which the streaming API cannot.
 */
function inflateCapped(data: Uint8Array, dictionary: Uint8Array | undefined): Inflated {
  let total = 0;
  try {
    const stream = new Inflate(dictionary ? { dictionary } : {}, (chunk) => {
      total += chunk.length;
    });
    const CHUNK = 1024;
    for (let i = 0; i < data.length && total <= MAX_PAYLOAD_BYTES; i += CHUNK) {
      stream.push(data.subarray(i, i + CHUNK), false);
    }
  } catch (e) {
    return { ok: false, error: flateError(e) };
  }
  if (total > MAX_PAYLOAD_BYTES) {
    return { ok: false, error: { kind: 'too-large', detail: `the scenario inflates to more than ${MAX_PAYLOAD_BYTES} bytes` } };
  }
  try {
    const bytes = inflateSync(data, dictionary ? { dictionary } : {});
    if (bytes.length > MAX_PAYLOAD_BYTES) {
      return { ok: false, error: { kind: 'too-large', detail: `the scenario inflates to more than ${MAX_PAYLOAD_BYTES} bytes` } };
    }
    return { ok: true, bytes };
  } catch (e) {
    return { ok: false, error: flateError(e) };
  }
}

// ---------------------------------------------------------------- hostile content

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// bidi overrides and isolates (CVE-2021-42574, "Trojan Source"): text that reads differently than it is
const BIDI_RE = /[\u202a-\u202e\u2066-\u2069]/;
// markup that runs or loads something, or a script URL, in text the app displays
// ("count<limit" and "a < b" are ordinary text)
const MARKUP_RE =
  /<\s*\/?\s*(?:script|iframe|frame|img|svg|math|object|embed|style|link|meta|base|form|input|button|body|html|a)\b|javascript\s*:|vbscript\s*:|data\s*:\s*text\/html/i;

/** Walk the parsed JSON without recursion: keys, depth, size, invisible reordering. */
function hostileStructure(json: unknown): string | null {
  const stack: [unknown, number][] = [[json, 0]];
  let nodes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) return `more than ${MAX_NODES} JSON values`;
    if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
    if (typeof v === 'string') {
      if (BIDI_RE.test(v)) return 'text with bidirectional override characters';
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push([x, depth + 1]);
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(k)) return `forbidden key ${JSON.stringify(k)}`;
        if (BIDI_RE.test(k)) return 'a key with bidirectional override characters';
        // any JSON object, before the schema has looked at it: open by nature
        stack.push([(v as Record<string, unknown>)[k], depth + 1]);
      }
    }
  }
  return null;
}

/** Markup in what the app shows as plain text (names, description, notes). */
function hostileText(c: Case): string | null {
  const shown: [string, string | undefined][] = [
    ['name', c.name],
    ['description', c.description],
    ...(c.steps ?? []).map((s, i): [string, string | undefined] => [`steps[${i}].note`, s.note]),
  ];
  for (const [path, t] of shown) if (t !== undefined && MARKUP_RE.test(t)) return `${path}: markup or a script URL`;
  return null;
}

// ---------------------------------------------------------------- versions

type PayloadResult = { ok: true; scenario: Case; packet?: number; lesson?: string } | { ok: false; error: ShareError };

// ---------------------------------------------------------------- format 1 framing

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as in zlib and PNG). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function deflateOptions(codec: 'd' | 'z') {
  return codec === 'd' ? { level: 9 as const, dictionary: dictV1() } : { level: 9 as const };
}

/**
 * The payload part of a format-1 link for this JSON text. Exported for tests
 * and tools that build links by hand (encodeShare is the normal way).
 */
export function encodePayloadV1(jsonText: string, codec: 'd' | 'z'): string {
  const json = strToU8(jsonText);
  const deflated = deflateSync(json, deflateOptions(codec));
  const head: number[] = [];
  for (let n = deflated.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      head.push(n);
      break;
    }
    head.push((n % 128) | 128);
  }
  const crc = crc32(json);
  const out = new Uint8Array(head.length + deflated.length + 4);
  out.set(head, 0);
  out.set(deflated, head.length);
  new DataView(out.buffer).setUint32(head.length + deflated.length, crc);
  return toBase64url(out);
}

/** Format 1: JSON {c, p?}, codec d (dictionary v1) or z (none). */
function decodeV1(codec: string, payload: string): PayloadResult {
  return decodeFramed(1, codec, payload, validatePayloadV1);
}

/** Format 2: JSON {c, p?, l?}, with format 1's framing and codecs. */
function decodeV2(codec: string, payload: string): PayloadResult {
  return decodeFramed(2, codec, payload, validatePayloadV2);
}

/** The framing and codecs formats 1 and 2 share; `validate` is the format's own payload check. */
function decodeFramed(version: number, codec: string, payload: string, validate: (json: unknown) => ValidationResult<SharePayload>): PayloadResult {
  if (codec !== 'd' && codec !== 'z') {
    return { ok: false, error: { kind: 'unsupported-version', detail: `format ${version} has no codec ${JSON.stringify(codec)}` } };
  }
  if (payload === '') return { ok: false, error: { kind: 'truncated', detail: 'the link ends before its data' } };
  const bytes = fromBase64url(payload);
  if (bytes === 'truncated') return { ok: false, error: { kind: 'truncated', detail: 'the data stops in the middle of a character group' } };
  if (!bytes) return { ok: false, error: { kind: 'corrupt', detail: 'the data contains characters that are not base64url' } };
  let n = 0;
  let at = 0;
  for (let shift = 1; ; shift *= 128) {
    if (at >= bytes.length) return { ok: false, error: { kind: 'truncated', detail: 'the link ends inside its length field' } };
    if (at >= 4) return { ok: false, error: { kind: 'corrupt', detail: 'the length field is damaged' } };
    const b = bytes[at++]!;
    n += (b & 127) * shift;
    if (b < 128) break;
  }
  if (bytes.length < at + n + 4) {
    return { ok: false, error: { kind: 'truncated', detail: `the link holds ${Math.max(0, bytes.length - at)} of ${n + 4} data bytes` } };
  }
  // bytes after the checksum are junk glued to the link (they cannot change the bytes before them)
  const deflated = bytes.subarray(at, at + n);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + at + n, 4).getUint32(0);
  const inflated = inflateCapped(deflated, codec === 'd' ? dictV1() : undefined);
  if (!inflated.ok) return inflated;
  if (crc32(inflated.bytes) !== stored) return { ok: false, error: { kind: 'corrupt', detail: 'the checksum does not match: the data was changed' } };
  let text: string;
  try {
    text = strFromU8(inflated.bytes);
  } catch {
    return { ok: false, error: { kind: 'corrupt', detail: 'the data is not UTF-8 text' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { kind: 'corrupt', detail: `the data is not JSON (${(e as Error).message})` } };
  }
  const hostile = hostileStructure(json);
  if (hostile) return { ok: false, error: { kind: 'hostile', detail: hostile } };
  const valid = validate(json);
  if (!valid.ok) return { ok: false, error: { kind: 'invalid', detail: valid.message } };
  const markup = hostileText(valid.value.c);
  if (markup) return { ok: false, error: { kind: 'hostile', detail: markup } };
  return { ok: true, scenario: valid.value.c, ...(valid.value.p !== undefined ? { packet: valid.value.p } : {}), ...(valid.value.l !== undefined ? { lesson: valid.value.l } : {}) };
}

/** One decoder per released format version; never remove an entry. */
const DECODERS: Readonly<Record<string, (codec: string, payload: string) => PayloadResult>> = {
  '1': decodeV1,
  '2': decodeV2,
};

export const SUPPORTED_SHARE_VERSIONS: readonly number[] = Object.keys(DECODERS).map(Number);

// ---------------------------------------------------------------- encode

export interface EncodeOptions {
  /** 'd' (default): preset dictionary; 'z': plain deflate-raw */
  codec?: 'd' | 'z';
}

/**
 * The URL hash (without '#') that reproduces `state`.
 * @example encodeShare({ scenario, packet: 2, step: 14, lang: 'zh' }) // 's=1.d.q1YqS…&step=14&lang=zh'
 */
export function encodeShare(state: ShareState, opts: EncodeOptions = {}): string {
  const codec = opts.codec ?? 'd';
  const json = JSON.stringify({ c: state.scenario, ...(state.packet !== undefined ? { p: state.packet } : {}), ...(state.lesson !== undefined ? { l: state.lesson } : {}) });
  const version = state.lesson !== undefined ? SHARE_FORMAT_VERSION_LESSON : SHARE_FORMAT_VERSION;
  let hash = `s=${version}.${codec}.${encodePayloadV1(json, codec)}`;
  if (state.step !== undefined) hash += `&step=${state.step}`;
  if (state.lang !== undefined) hash += `&lang=${state.lang}`;
  return hash;
}

/** The path and hash to print or paste after the app's origin: `/#s=1.d.…`. */
export function sharePath(state: ShareState, opts: EncodeOptions = {}): string {
  return `/#${encodeShare(state, opts)}`;
}

// ---------------------------------------------------------------- decode

function safeDecodeURIComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Split the hash into parameters, tolerating what chat apps and link
 * shorteners do to URLs: a `?from=singlemessage&isappinstalled=0` query
 * glued after the hash, extra `&appinstall=0` or `utm_*` parameters, a
 * percent-encoded `=`, trailing punctuation. Only s, step and lang are read.
 */
function hashParams(hash: string): { s?: string; step?: string; lang?: string } {
  let h = hash.trim();
  const at = h.indexOf('#');
  if (at >= 0) h = h.slice(at + 1);
  const out: { s?: string; step?: string; lang?: string } = {};
  for (const part of h.split(/[&?;]/)) {
    const eq = part.search(/=|%3d/i);
    if (eq < 0) continue;
    const key = safeDecodeURIComponent(part.slice(0, eq)).trim().toLowerCase();
    const value = part.slice(eq + (part[eq] === '=' ? 1 : 3));
    if ((key === 's' || key === 'step' || key === 'lang') && out[key] === undefined) out[key] = value;
  }
  return out;
}

/**
 * Read a share hash (with or without '#', or a whole URL). Never throws.
 * @example decodeShare('#s=1.d.q1YqS…&step=14&lang=zh?from=singlemessage')
 */
export function decodeShare(hash: string): DecodeResult {
  try {
    if (typeof hash !== 'string') return { ok: false, error: { kind: 'invalid', detail: 'not a link' } };
    if (hash.length > MAX_HASH_CHARS) {
      return { ok: false, error: { kind: 'too-large', detail: `the link is longer than ${MAX_HASH_CHARS} characters` } };
    }
    const params = hashParams(hash);
    if (params.s === undefined) return { ok: false, error: { kind: 'invalid', detail: 'the link has no s= part' } };
    const m = /^(\d{1,6})(?:\.([A-Za-z]?)(?:\.([A-Za-z0-9_-]*))?)?/.exec(params.s);
    if (!m || m[1] === undefined) return { ok: false, error: { kind: 'corrupt', detail: 's= must start with a format version number' } };
    const version = m[1];
    const decoder = Object.hasOwn(DECODERS, version) ? DECODERS[version] : undefined;
    if (!decoder) {
      return {
        ok: false,
        error: { kind: 'unsupported-version', detail: `format ${version}; this PacketWalk reads format ${SUPPORTED_SHARE_VERSIONS.join(', ')}` },
      };
    }
    if (m[2] === undefined || m[3] === undefined) return { ok: false, error: { kind: 'truncated', detail: 'the link ends before its data' } };
    const decoded = decoder(m[2], m[3]);
    if (!decoded.ok) return decoded;
    const state: ShareState = { scenario: decoded.scenario };
    if (decoded.packet !== undefined) state.packet = decoded.packet;
    if (decoded.lesson !== undefined) state.lesson = decoded.lesson;
    // step and lang are typed by hand: a typo falls back to the default, it does not refuse the link
    const stepMatch = params.step !== undefined ? /^\d{1,8}/.exec(params.step) : null;
    if (stepMatch && Number(stepMatch[0]) <= MAX_STEP) state.step = Number(stepMatch[0]);
    const langMatch = params.lang !== undefined ? /^(en|zh)(?![a-z])/i.exec(params.lang) : null;
    if (langMatch) state.lang = langMatch[1]!.toLowerCase() as Lang;
    return {
      ok: true,
      state,
      ...(state.step !== undefined ? { step: state.step } : {}),
      ...(state.lang !== undefined ? { lang: state.lang } : {}),
    };
  } catch (e) {
    // a last guard: nothing a link contains may escape as an exception
    return { ok: false, error: { kind: 'corrupt', detail: `unreadable link (${(e as Error)?.message ?? String(e)})` } };
  }
}

export type ShareSizeClass = 'ok' | 'warn' | 'file';

/** The Share size meter: green up to 2,000 characters, a warning up to 8,000, above that offer a file. */
export function shareSizeClass(hashLength: number): ShareSizeClass {
  return hashLength <= 2000 ? 'ok' : hashLength <= 8000 ? 'warn' : 'file';
}
