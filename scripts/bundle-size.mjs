#!/usr/bin/env node
// pattern: Imperative Shell
/**
 * `npm run size`: the JavaScript the first screen needs before it can run —
 * the entry chunk, the app it loads right after the first paint (the entry's
 * own dynamic imports: src/app/start.tsx), and everything those import
 * statically, transitively — as gzip, read from Vite's build manifest.
 * Chunks the app loads lazily (the graph, the trace log, the editor) and the
 * worker are not counted: the page works without waiting for them. Fails
 * above the budget.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 200;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const manifestFile = join(dist, '.vite', 'manifest.json');

if (!existsSync(manifestFile)) {
  console.error(`${manifestFile} is missing: run \`npm run build\` first (build.manifest must be on).`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
if (entries.length === 0) {
  console.error('the manifest names no entry chunk');
  process.exit(1);
}

const seen = new Set();
const files = [];
function visit(key) {
  if (seen.has(key)) return;
  seen.add(key);
  const chunk = manifest[key];
  if (chunk === undefined) return;
  if (chunk.file.endsWith('.js')) files.push(chunk.file);
  for (const dep of chunk.imports ?? []) visit(dep);
}
for (const [key, chunk] of entries) {
  visit(key);
  for (const dep of chunk.dynamicImports ?? []) visit(dep);
}

let total = 0;
for (const file of files) {
  const bytes = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += bytes;
  console.log(`  ${file}: ${(bytes / 1000).toFixed(1)} kB gzip`);
}
const kb = total / 1000;
console.log(`initial JS: ${kb.toFixed(1)} kB gzip (budget ${BUDGET_KB} kB)`);
if (kb > BUDGET_KB) {
  console.error(`initial JS is over the budget by ${(kb - BUDGET_KB).toFixed(1)} kB`);
  process.exit(1);
}
