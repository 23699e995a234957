// pattern: Imperative Shell
// `packetwalk` command line: thin wrappers that read files, call the engine
// and print. Exit codes: 0 ok, 1 invalid input, 2 usage.

import { readFileSync } from 'node:fs';
import { runCase } from '../engine/run-case';
import { canonicalJson } from '../engine/output/kernel-result';

const USAGE = `usage:
  packetwalk trace CASE.json     run an oracle case file, print the result (oracle format)
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'trace': {
      const file = rest[0];
      if (!file) {
        process.stderr.write(USAGE);
        return 2;
      }
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        process.stderr.write(`packetwalk: ${file}: ${(e as Error).message}\n`);
        return 1;
      }
      const r = runCase(json);
      if (!r.ok) {
        for (const d of r.errors) process.stderr.write(`packetwalk: ${file}: ${d}\n`);
        return 1;
      }
      process.stdout.write(`${canonicalJson(r.result)}\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`packetwalk: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
      return 2;
  }
}
