// pattern: Functional Core
// Divergences grouped the way a person fixing them thinks: by the first field
// where the engine and the kernel part ways, with list positions and host
// names folded (`.packets_by_host.*[].events[].rulenum`), so forty cases that
// miss the same behaviour show up as one line of the report.

/** `.packets_by_host.router[3].events[2].rulenum: kernel 1 != simulator 2` → the field path. */
export function diffPath(line: string): string {
  const i = line.indexOf(': ');
  return i < 0 ? line : line.slice(0, i);
}

/** Fold list positions and host names; keep the field names. */
export function foldPath(path: string): string {
  return path
    .replace(/^\.packets_by_host\.[^.[\]]+/, '.packets_by_host.*')
    .replace(/\.(conntrack|rulesets)\.[^.[\]]+/g, '.$1.*')
    .replace(/\[\d+\]/g, '[]')
    .replace(/\.(counters|log_target_lines)\[\]/g, '.$1');
}

/**
 * The class of a divergence: the folded path of the first difference, with
 * the kernel's and the engine's values when the field is a small enum (a
 * verdict, a target, a result) since `reject vs drop` and `local vs sent`
 * are different bugs.
 */
export function divergenceClass(diffs: readonly string[]): string {
  const first = diffs[0];
  if (first === undefined) return 'identical';
  const path = foldPath(diffPath(first));
  const m = /: kernel (.{1,40}) != simulator (.{1,40})$/.exec(first);
  const enumLike = /\.(verdict|target|type|result|connect|error|origin|kind|reason|with|table|chain|hook|state)$/.test(path);
  if (m && enumLike) return `${path}: kernel ${m[1]} ≠ engine ${m[2]}`;
  if (/: kernel has \d+ items, simulator \d+$/.test(first)) return `${path}: item count`;
  if (/missing in simulator/.test(first)) return `${path}: missing in engine`;
  if (/not in kernel result/.test(first)) return `${path}: extra in engine`;
  return path;
}
