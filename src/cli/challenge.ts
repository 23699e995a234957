// pattern: Imperative Shell
// `packetwalk challenge`: the course's challenges from the command line —
// the solution bot over the whole catalog, one solution file checked against
// a challenge, or a challenge's start case — printing what src/course computes.

import { readFileSync } from 'node:fs';
import { CHALLENGES, findChallenge } from '../course/catalog';
import { checkSolution } from '../course/check';
import { isSeed } from '../course/seed';
import type { ChallengeInstance, Lang } from '../course/types';

export const CHALLENGE_USAGE = `  packetwalk challenge --all [--json] [--seed N]
        run the solution bot: for every challenge, does the reference solution pass and
        does each typical wrong solution fail (--json: a JSON array, one object per challenge)
  packetwalk challenge ID --check FILE [--seed N] [--lang en|zh]
        apply FILE (console commands, one per line, '# host NAME' switching host,
        '# answer: CHOICE' for a question) to the challenge's start and print the goals as JSON
  packetwalk challenge ID --start [--seed N]  print the challenge's start scenario as a case file
`;

interface Options {
  all: boolean;
  json: boolean;
  check: string | null;
  start: boolean;
  seed: number;
  lang: Lang;
  ids: string[];
}

function parseArgs(args: string[]): Options | string {
  const o: Options = { all: false, json: false, check: null, start: false, seed: 0, lang: 'en', ids: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--all') o.all = true;
      else if (a === '--json') o.json = true;
      else if (a === '--start') o.start = true;
      else if (a === '--check') o.check = value();
      else if (a === '--seed') {
        const s = value();
        if (!/^\d+$/.test(s) || !isSeed(Number(s))) return `--seed: expected a whole number from 0 to 4294967295, got ${JSON.stringify(s)}`;
        o.seed = Number(s);
      } else if (a === '--lang') {
        const l = value();
        if (l !== 'en' && l !== 'zh') return `--lang: expected en or zh, got ${JSON.stringify(l)}`;
        o.lang = l;
      } else if (a.startsWith('-')) return `unknown option ${a}`;
      else o.ids.push(a);
    } catch (e) {
      return (e as Error).message;
    }
  }
  const modes = [o.all, o.check !== null, o.start].filter(Boolean).length;
  if (modes !== 1) return 'give exactly one of --all, --check FILE, --start';
  if (o.all && o.ids.length) return '--all takes no challenge id';
  if (!o.all && o.ids.length !== 1) return 'name one challenge';
  return o;
}

/** The bot's verdict on one challenge and seed. */
function botRow(c: ChallengeInstance) {
  const ref = checkSolution(c, c.solution);
  const wrongFail = c.wrong.length >= 2 && c.wrong.every((w) => {
    const r = checkSolution(c, w.text);
    return r.ok && !r.passed && r.goals[w.fails]?.met === false;
  });
  return { id: c.id, title_en: c.title.en, title_zh: c.title.zh, goals: c.goals.length, reference_passes: ref.ok && ref.passed, wrong_solutions_fail: wrongFail };
}

function instance(id: string, seed: number): ChallengeInstance | string {
  const ch = findChallenge(id);
  if (!ch) return `no challenge named ${JSON.stringify(id)} (packetwalk challenge --all lists them)`;
  return ch.build(seed);
}

export function challengeCommand(args: string[]): number {
  const o = parseArgs(args);
  if (typeof o === 'string') {
    process.stderr.write(`packetwalk challenge: ${o}\nusage:\n${CHALLENGE_USAGE}`);
    return 2;
  }
  if (o.all) {
    const rows = CHALLENGES.map((ch) => botRow(ch.build(o.seed)));
    if (o.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
    else for (const r of rows) process.stdout.write(`${r.reference_passes && r.wrong_solutions_fail ? 'ok  ' : 'FAIL'} ${r.id.padEnd(26)} ${String(r.goals).padStart(2)} goals  ${r.title_en}\n`);
    return rows.every((r) => r.reference_passes && r.wrong_solutions_fail) ? 0 : 1;
  }
  const c = instance(o.ids[0]!, o.seed);
  if (typeof c === 'string') {
    process.stderr.write(`packetwalk challenge: ${c}\n`);
    return 1;
  }
  if (o.start) {
    process.stdout.write(`${JSON.stringify(c.start, null, 2)}\n`);
    return 0;
  }
  const file = o.check!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`packetwalk challenge: ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const r = checkSolution(c, text);
  if (!r.ok) {
    process.stderr.write(`packetwalk challenge: ${file}:${r.error.line}:${r.error.column}: ${r.error.message}\n`);
    return 1;
  }
  const out = { id: r.id, passed: r.passed, goals: r.goals.map((g) => ({ goal: g.text, met: g.met, why: g.why[o.lang] })) };
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  return 0;
}
