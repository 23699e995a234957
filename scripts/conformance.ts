// pattern: Imperative Shell
// `npx tsx scripts/conformance.ts [--level walk|full] [CASE...]`: runs the
// oracle fixtures through the engine and prints, per case, identical or the
// first differences: the day-to-day view of src/engine/conformance.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCase } from '../src/engine/run-case';
import { compareResults, type Level } from '../src/engine/conformance/compare';

const dir = join(import.meta.dirname, '..', 'src', 'engine', '__fixtures__', 'oracle');
const args = process.argv.slice(2);
const li = args.indexOf('--level');
const levels: Level[] = li >= 0 ? [args[li + 1] as Level] : ['walk', 'full'];
const only = args.filter((a, i) => !a.startsWith('--') && (li < 0 || i !== li + 1));
const max = Number(process.env.MAX_DIFFS ?? 8);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'))
  .map((f) => f.slice(0, -5))
  .filter((n) => only.length === 0 || only.some((o) => n.startsWith(o)))
  .sort();
const failing: Record<string, string[]> = { walk: [], full: [] };
for (const name of names) {
  const r = runCase(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')));
  const kernel = JSON.parse(readFileSync(join(dir, `${name}.kernel.json`), 'utf8'));
  for (const level of levels) {
    const d = r.ok ? compareResults(kernel, r.result, level, max) : r.errors;
    if (d.length) failing[level]!.push(name);
    if (only.length || d.length === 0) console.log(`${level} ${name.padEnd(40)} ${d.length ? 'DIFFERENT' : 'identical'}`);
    if (only.length) for (const x of d) console.log(`    ${x}`);
  }
}
for (const level of levels) console.log(`${level}: ${names.length - failing[level]!.length} passed, ${failing[level]!.length} failed`);
if (process.env.PRINT_FAILING) console.log(JSON.stringify(failing));
