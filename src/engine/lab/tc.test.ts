// `tc` in the console and in a walk, against this machine's kernel:
// __fixtures__/tc/record.py builds each tc-*.json case as two namespaces
// joined by a veth, sends its six 1042-byte frames one second apart (the
// engine's clock puts step N at N−1 s) and records what tc and iptables
// print: half a second after each frame (timeline.golden.txt), at 6.3 s
// (tc.golden.txt), once every held frame has left (tc.drained.golden.txt),
// and the console's writes (writes.golden.txt). Rewritten in the
// recordings, and only there: an automatic handle (`8005:`), which the
// kernel counts machine-wide (qdisc_alloc_handle's static counter), so a
// recording shows how many came before on the machine; the engine counts
// per host from 8001:.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, type LabWalk } from './lab';
import { tcQuery } from '../tc/tc';
import { tcTrafficAt } from './tc';

const dir = join(__dirname, '__fixtures__', 'tc');

interface Section {
  name: string | null;
  host: string;
  at: string | null;
  command: string;
  text: string;
  exit: number;
}

const autoHandle = (s: string) => s.replace(/\b8[0-9a-f]{3}:/g, '8xxx:');

function sections(file: string): Section[] {
  return readFileSync(join(dir, file), 'utf8')
    .split(/^### /m)
    .filter(Boolean)
    .map((s) => {
      const nl = s.indexOf('\n');
      const m = /^(?:([\w-]+) )?([\w-]+)(?: @([\d.]+)s)?: (.*)$/.exec(s.slice(0, nl))!;
      let text = s.slice(nl + 1);
      let exit = 0;
      const e = /\[exit (\d+)\]\n$/.exec(text);
      if (e) {
        exit = Number(e[1]);
        text = text.slice(0, e.index);
      }
      return { name: m[1] ?? null, host: m[2]!, at: m[3] ?? null, command: m[4]!, text: autoHandle(text), exit };
    });
}

function open(name: string, withTc = true): Lab {
  const c = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { hosts: { setup: string[] }[] };
  if (!withTc) for (const h of c.hosts) h.setup = h.setup.filter((l) => !l.startsWith('tc '));
  const r = Lab.open(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.lab;
}

const CASES = ['tc-pfifo', 'tc-tbf', 'tc-htb'];

/** The step where the client's qdisc took the frame of scenario step `n`. */
function qdiscStep(walk: LabWalk, n: number): number {
  const i = walk.log.steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'qdisc' && s.scenarioStep === n && s.host === 'client');
  if (i < 0) throw new Error(`no qdisc step in step ${n}`);
  return i;
}

describe.each(CASES)('%s on the kernel and in the engine', (name) => {
  const lab = open(name);
  const walk = lab.walk();
  const last = walk.log.steps.length - 1;

  it('half a second after each frame, `tc -s qdisc show` counts what the kernel counted (as of the step the qdisc took it)', () => {
    const recorded = sections('timeline.golden.txt').filter((s) => s.name === name);
    expect(recorded).toHaveLength(6);
    recorded.forEach((s, k) => {
      expect(s.at).toBe(`${k}.5`);
      expect(lab.query(s.host, s.command, walk, qdiscStep(walk, k + 1))!.stdout).toBe(s.text);
    });
  });

  it('at 6.3 s, tc shows what the kernel showed', () => {
    const recorded = sections('tc.golden.txt').filter((s) => s.name === name && s.command.startsWith('tc '));
    expect(recorded.length).toBeGreaterThan(0);
    for (const s of recorded) {
      const traffic = tcTrafficAt({ host: s.host, walk: { log: walk.log, world: walk.world, asOf: qdiscStep(walk, 6) } })!;
      const out = tcQuery(s.command, lab.config(s.host)!.net, { ...traffic, now: 6.3e9 })!;
      expect(`${s.host}: ${out.stdout}`).toBe(`${s.host}: ${s.text}`);
    }
  });

  it('at the end of the walk, tc and the iptables counters at POSTROUTING and PREROUTING are the kernel’s once the queues drained', () => {
    const recorded = sections('tc.drained.golden.txt').filter((s) => s.name === name);
    expect(recorded.length).toBeGreaterThan(0);
    for (const s of recorded) expect(`${s.host}: ${lab.query(s.host, s.command, walk, last)!.stdout}`).toBe(`${s.host}: ${s.text}`);
  });
});

describe('a frame the egress qdisc drops was counted at POSTROUTING and never reaches the next host', () => {
  it('tbf: the sixth frame finds the 2100-byte queue full', () => {
    const walk = open('tc-tbf').walk();
    const notes = walk.log.steps.flatMap((s) => (s.kind === 'note' && s.note.kind === 'qdisc' ? [s.note] : []));
    expect(notes.map((n) => n.leftMs)).toEqual([0, 1768, 3852, 5936, 8020, null]);
    expect(notes[5]!.why).toBe('limit');
    const sixth = walk.log.packets.filter((p) => p.host === 'server').map((p) => walk.log.steps[p.firstStep]!.scenarioStep);
    expect(sixth).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('tc writes in the console answer as tc does', () => {
  // writes.txt runs in order on one lab, as record.py ran it on one build; `=` lines are compared
  const lab = open('tc-pfifo', false);
  const lines = readFileSync(join(dir, 'writes.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const recorded = sections('writes.golden.txt');
  let k = 0;
  for (const line of lines) {
    const read = line.startsWith('= ');
    const s = read ? recorded[k++]! : null;
    const [host, command] = line.replace(/^= /, '').split(/: (.*)/s) as [string, string];
    it(`${read ? 'then ' : ''}${host}: ${command}`, () => {
      const q = lab.query(host, command, null, -1);
      if (q) {
        expect(s).not.toBeNull();
        expect(`${s!.host}: ${s!.command}`).toBe(`${host}: ${command}`);
        expect(autoHandle(q.stdout + q.stderr)).toBe(s!.text);
        return;
      }
      const r = lab.edit(host, command);
      if (!s) return;
      expect(`${s.host}: ${s.command}`).toBe(`${host}: ${command}`);
      if (s.exit === 0) expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([]);
      else {
        expect(r.ok).toBe(false);
        expect(r.diagnostics.map((d) => `${d.message}\n`).join('')).toBe(s.text);
      }
    });
  }
});
