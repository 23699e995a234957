// `ip addr|link|route|neigh show` for several addresses on one interface
// (secondaries, labels, `brd +`, a deleted and a promoted address), a link
// set down, MTUs set by hand and neighbour entries in several states, as
// iproute2 6.1 printed them for __fixtures__/readonly/links.json
// (`python3 record.py links`, the namespaces named `pwro-HOST`).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from './lab';

const dir = join(__dirname, '__fixtures__', 'readonly');
const CLOCK = { now: Date.UTC(2026, 11, 7, 15, 26, 15), tzOffset: 0 };

const sections = readFileSync(join(dir, 'links.golden.txt'), 'utf8')
  .split(/^### /m)
  .filter(Boolean)
  .map((s) => {
    const nl = s.indexOf('\n');
    const [host, command] = s.slice(0, nl).split(/: (.*)/s) as [string, string];
    return { host, command, text: s.slice(nl + 1).replace(/pwro-/g, '') };
  });

/**
 * The kernel dumps neighbours in the order of its hash table, whose seed is
 * random per table (neigh_hash_alloc): several entries are compared as a set
 * of lines.
 */
const hashOrdered = (command: string) => /^ip neigh( show dev \S+)?$/.test(command);
const lines = (t: string) => t.split('\n').filter(Boolean).sort();

describe('ip … show prints what iproute2 prints for several addresses, link state, MTU and neighbours', () => {
  const opened = Lab.open(JSON.parse(readFileSync(join(dir, 'links.json'), 'utf8')));
  if (!opened.ok) throw new Error(opened.errors.join('\n'));
  const lab = opened.lab;
  for (const s of sections) {
    it(`${s.host}: ${s.command}`, () => {
      const r = lab.query(s.host, s.command, null, -1, CLOCK);
      expect(r).not.toBeNull();
      const printed = r!.stdout + r!.stderr;
      if (hashOrdered(s.command)) expect(lines(printed)).toEqual(lines(s.text));
      else expect(printed).toBe(s.text);
    });
  }
});
