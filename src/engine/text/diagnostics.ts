// pattern: Functional Core
// Diagnostics carry character offsets into the text that was parsed; line and
// column are derived for display only (see lineColumn), so a span survives
// being re-rendered in a console, a form or an iptables-restore file.

export type Severity = 'error' | 'warning' | 'info';

export interface Span {
  /** offset of the first character, 0-based, into the parsed text */
  from: number;
  /** offset one past the last character */
  to: number;
}

export interface Diagnostic extends Span {
  severity: Severity;
  /** the real tool's message where it has one, e.g. "Bad argument `foo'" */
  message: string;
  /** which parser produced it: 'iptables', 'iptables-restore', 'ip', 'sysctl', 'case' */
  source: string;
  /** stable machine-readable code, e.g. 'iptables/unknown-option' */
  code?: string;
  /** what was expected at this position, for the UI's hint line */
  expected?: string;
}

export interface Parsed<T> {
  /** null when the input could not be turned into a value at all */
  value: T | null;
  diagnostics: Diagnostic[];
}

export interface LineColumn {
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units like every editor */
  column: number;
}

export function lineColumn(text: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** "line 3, column 14: Bad argument `x'" — the form the CLI and console print. */
export function formatDiagnostic(text: string, d: Diagnostic): string {
  const { line, column } = lineColumn(text, d.from);
  return `line ${line}, column ${column}: ${d.message}`;
}
