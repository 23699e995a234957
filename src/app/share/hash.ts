// pattern: Functional Core
// The readable part of the URL hash, read without the share codec (which is
// loaded only when a link really carries a scenario): `s` is only noticed,
// `step`, `lang`, `embed`, `by` (what one step is: event, chain, hook, host,
// packet) and `collapse` are what an instructor edits by hand. The
// tolerance matches src/share/link.ts: chat apps glue `?from=…` or
// `&appinstall=0` on, and `=` may arrive percent-encoded.

import { isLang, type Lang } from '../i18n/langs';
import { GRANULARITIES, type Granularity } from '../shell/stepping';

export interface HashParams {
  /** the s= value as it stands (decoded later by src/share), or null */
  s: string | null;
  step: number | null;
  lang: Lang | null;
  embed: boolean;
  /** the step granularity; null: by event, the default */
  by: Granularity | null;
  /** runs of empty chains and duplicate transmit steps left out */
  collapse: boolean;
  /** `challenge=ID&seed=N`: a course challenge's variant, opened beside the walk */
  challenge: string | null;
  seed: number | null;
  /** `reveal=K` beside a challenge: presenter mode with the reference solution's first K lines applied */
  reveal: number | null;
  /** `course=set:ID[:SEED],…`: the Course view restricted to these challenges (course/challenge-set.ts reads the list) */
  course: string | null;
}

function isGranularity(v: string): v is Granularity {
  return (GRANULARITIES as readonly string[]).includes(v);
}

/** Bigger step numbers are a typo, not a place in any walk the app can show. */
const MAX_STEP = 10_000_000;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function readHash(hash: string): HashParams {
  const out: HashParams = { s: null, step: null, lang: null, embed: false, by: null, collapse: false, challenge: null, seed: null, reveal: null, course: null };
  let h = hash.trim();
  const at = h.indexOf('#');
  if (at >= 0) h = h.slice(at + 1);
  const seen = new Set<string>();
  for (const part of h.split(/[&?;]/)) {
    const eq = part.search(/=|%3d/i);
    if (eq < 0) continue;
    const key = decode(part.slice(0, eq)).trim().toLowerCase();
    const value = part.slice(eq + (part[eq] === '=' ? 1 : 3));
    // the first of a repeated key counts, as in src/share
    if (seen.has(key)) continue;
    seen.add(key);
    if (key === 's') out.s = value;
    else if (key === 'step') {
      const m = /^\d{1,8}/.exec(value);
      if (m && Number(m[0]) <= MAX_STEP) out.step = Number(m[0]);
    } else if (key === 'lang') {
      const m = /^(en|zh)(?![a-z])/i.exec(value);
      const l = m?.[1]?.toLowerCase();
      if (isLang(l)) out.lang = l;
    } else if (key === 'embed') out.embed = value === '1' || value.toLowerCase() === 'true';
    else if (key === 'by') {
      const m = /^[a-z]+/i.exec(value)?.[0]?.toLowerCase() ?? '';
      if (isGranularity(m) && m !== 'event') out.by = m;
    } else if (key === 'collapse') out.collapse = value === '1' || value.toLowerCase() === 'true';
    else if (key === 'challenge') {
      const m = /^[a-z0-9-]{1,64}/.exec(decode(value).toLowerCase());
      if (m) out.challenge = m[0];
    } else if (key === 'seed') {
      const m = /^\d{1,10}/.exec(value);
      if (m && Number(m[0]) <= 0xffffffff) out.seed = Number(m[0]);
    } else if (key === 'course') {
      const v = decode(value);
      if (v.toLowerCase().startsWith('set:')) out.course = v.slice(4, 4 + 4000);
    } else if (key === 'reveal') {
      const m = /^\d{1,4}/.exec(value);
      if (m) out.reveal = Number(m[0]);
    }
  }
  return out;
}

/** The hash (without '#') for these parameters, in the order people read them. */
export function writeHash(p: HashParams): string {
  const parts: string[] = [];
  if (p.s !== null) parts.push(`s=${p.s}`);
  if (p.step !== null) parts.push(`step=${p.step}`);
  if (p.lang !== null) parts.push(`lang=${p.lang}`);
  if (p.embed) parts.push('embed=1');
  if (p.by !== null) parts.push(`by=${p.by}`);
  if (p.collapse) parts.push('collapse=1');
  if (p.challenge !== null) parts.push(`challenge=${p.challenge}`);
  if (p.challenge !== null && p.seed !== null) parts.push(`seed=${p.seed}`);
  if (p.challenge !== null && p.reveal !== null) parts.push(`reveal=${p.reveal}`);
  if (p.course !== null) parts.push(`course=set:${p.course}`);
  return parts.join('&');
}
