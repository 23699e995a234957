// pattern: Imperative Shell
// `npx tsx scripts/course-oracle.ts [--run] [ID…]`: writes each kernel-runnable
// challenge (seed 0, reference solution applied: src/course/oracle-case.ts) to
// src/course/__fixtures__/oracle/course-ID.json, and with --run records the
// kernel's result beside it (course-ID.kernel.json) through scripts/oracle-run,
// which queues behind the oracle's lock. The cases are generated, never
// written by hand; src/course/oracle.test.ts checks they still match the catalog.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHALLENGES } from '../src/course/catalog';
import { oracleCase } from '../src/course/oracle-case';

const dir = join(import.meta.dirname, '..', 'src', 'course', '__fixtures__', 'oracle');
const args = process.argv.slice(2);
const run = args.includes('--run');
const only = args.filter((a) => !a.startsWith('--'));
mkdirSync(dir, { recursive: true });
for (const ch of CHALLENGES) {
  if (only.length && !only.includes(ch.id)) continue;
  const c = ch.build(0);
  if (!c.kernel) continue;
  const file = join(dir, `course-${c.id}.json`);
  writeFileSync(file, `${JSON.stringify(oracleCase(c), null, 1)}\n`);
  process.stderr.write(`wrote ${file}\n`);
  if (!run) continue;
  const out = execFileSync(join(import.meta.dirname, 'oracle-run'), [file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(file.replace(/\.json$/, '.kernel.json'), out);
  process.stderr.write(`recorded ${file.replace(/\.json$/, '.kernel.json')}\n`);
}
