// pattern: Functional Core
// Messages that quote what the user gave us (a file name, a JSON parser's
// complaint about a byte-order mark) must not carry characters nobody can
// see: a refusal that quotes a byte-order mark as "Unexpected token ''" (the
// mark itself between the quotes) explains nothing. Every control, format,
// separator (other than the plain space) and unpaired surrogate is shown as
// its code, \u{FEFF}.

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/gu;

/**
 * @example escapeInvisible('a\uFEFFb\n') === 'a\\u{FEFF}b\\u{A}'
 */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/** The UTF-8 byte-order mark some editors write at the start of a file, decoded. */
export const BOM = '\uFEFF';

export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}
