// pattern: Functional Core
// Where a diagnostic points, drawn the way compilers and shells do: the line
// of the typed text and a row of ^ under the offending characters.

export interface CaretView {
  line: number;
  column: number;
  /** the line of text the diagnostic is on */
  text: string;
  /** spaces then ^, as long as the offending word (at least one) */
  caret: string;
}

export function caretView(text: string, d: { from: number; to: number }): CaretView {
  const from = Math.max(0, Math.min(d.from, text.length));
  const lineStart = text.lastIndexOf('\n', from - 1) + 1;
  let lineEnd = text.indexOf('\n', from);
  if (lineEnd < 0) lineEnd = text.length;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (text.charCodeAt(i) === 10) line++;
  const column = from - lineStart + 1;
  const width = Math.max(1, Math.min(d.to, lineEnd) - from);
  // tabs keep their width in the caret row, so the ^ stays under the word
  const pad = text.slice(lineStart, from).replace(/[^\t]/g, ' ');
  return { line, column, text: text.slice(lineStart, lineEnd), caret: `${pad}${'^'.repeat(width)}` };
}
