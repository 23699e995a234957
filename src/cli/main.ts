// pattern: Imperative Shell
// `packetwalk` command line: thin wrappers that read files, call the engine
// and print. Exit codes: 0 ok, 1 invalid input, a run the work budget
// stopped (sim/budget.ts) or an internal error (one line on stderr, never a
// stack trace), 2 usage.

import { VLAN_PROVENANCE } from '../engine/net/vlan';
import { BRIDGE_VLAN_PROVENANCE } from '../engine/net/bridge-vlan';
import { readFileSync } from 'node:fs';
import { runCase } from '../engine/run-case';
import { formatNotModelled, notModelled } from '../engine/not-modelled';
import { canonicalJson } from '../engine/conformance/kernel-result';
import { applyRestore, parseRestore } from '../engine/iptables/restore';
import { createRuleset } from '../engine/iptables/ruleset';
import { saveRuleset } from '../engine/iptables/save';
import { hasErrors, lineColumn, type Diagnostic } from '../engine/text/diagnostics';
import { runIpvsCase } from '../engine/ipvs/case-runner';
import { modelledTunnelsLine } from '../engine/net/tunnel';
import { caseLink } from '../share/case-link';
import { formatBudgetStop } from '../engine/sim/budget';
import { challengeCommand, CHALLENGE_USAGE } from './challenge';

const USAGE = `usage:
  packetwalk trace CASE.json                  run an oracle case file, print the result (oracle format)
  packetwalk iptables-save [--counters] [-c] FILE
        load FILE as iptables-restore input into an empty host (--counters: keep the
        counters it names, like iptables-restore --counters) and print what iptables-save
        then prints (-c: with rule counters, like iptables-save -c), without the two
        '#' comment lines; invalid input exits 1 with iptables-restore's message and line
  packetwalk ipvs CASE.json                   run an IPVS golden case, print {expect, expect_final} as JSON
  packetwalk share CASE.json [--step N] [--lang en|zh]
        print the link path and hash that open an oracle case file in the app (/#s=1.d....)
${CHALLENGE_USAGE}`;

/** A kube-proxy dump can carry thousands of statistic rules: stderr gets the first ones and a count. */
const MAX_NOT_MODELLED_LINES = 100;

function printDiagnostics(text: string, diags: readonly Diagnostic[]): void {
  for (const d of diags) {
    if (d.severity !== 'error') continue;
    const { line, column } = lineColumn(text, d.from);
    process.stderr.write(`${d.message}\n  (line ${line}, column ${column})\n`);
  }
}

function iptablesSave(args: string[]): number {
  const counters = args.includes('--counters');
  const printCounters = args.includes('-c');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--counters' && a !== '-c');
  const files = args.filter((a) => !a.startsWith('-'));
  if (unknown.length) {
    process.stderr.write(`packetwalk iptables-save: unknown option ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  if (files.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(files[0]!, 'utf8');
  } catch (e) {
    process.stderr.write(`packetwalk: ${files[0]}: ${(e as Error).message}\n`);
    return 1;
  }
  const parsed = parseRestore(text, { noflush: false, counters });
  if (!parsed.value) {
    printDiagnostics(text, parsed.diagnostics);
    return 1;
  }
  // an empty host: only the tables the input names get loaded, as on a fresh machine
  const rs = createRuleset({ loaded: [] });
  const applied = applyRestore(rs, parsed.value);
  if (hasErrors(applied)) {
    printDiagnostics(text, applied);
    return 1;
  }
  process.stdout.write(saveRuleset(rs, { counters: printCounters }));
  return 0;
}

function ipvsCase(args: string[]): number {
  const file = args[0];
  if (!file || args.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    process.stderr.write(`packetwalk ipvs: ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const r = runIpvsCase(json);
  if (!r.ok) {
    for (const m of r.errors) process.stderr.write(`packetwalk ipvs: ${file}: ${m}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(r.result, null, 1)}\n`);
  return 0;
}

function shareCase(args: string[]): number {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const step = opt('--step');
  const lang = opt('--lang');
  const files = args.filter((a, i) => !a.startsWith('--') && !['--step', '--lang'].includes(args[i - 1] ?? ''));
  if (files.length !== 1 || (step !== undefined && !/^\d+$/.test(step)) || (lang !== undefined && lang !== 'en' && lang !== 'zh')) {
    process.stderr.write(USAGE);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(files[0]!, 'utf8');
  } catch (e) {
    process.stderr.write(`packetwalk share: ${files[0]}: ${(e as Error).message}\n`);
    return 1;
  }
  const r = caseLink(text, { ...(step !== undefined ? { step: Number(step) } : {}), ...(lang ? { lang: lang as 'en' | 'zh' } : {}) });
  if (!r.ok) {
    process.stderr.write(`packetwalk share: ${files[0]}: ${r.message}\n`);
    return 1;
  }
  process.stdout.write(`${r.path}\n`);
  if (r.size !== 'ok') process.stderr.write(`packetwalk share: the link is ${r.path.length} characters long; chat apps may cut it${r.size === 'file' ? ', share the case file instead' : ''}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await command(argv);
  } catch (e) {
    // the engine returns diagnostics and never throws on bad input: this is a bug, said in one line
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`packetwalk: internal error: ${err.name}: ${err.message.split('\n')[0]}\n`);
    return 1;
  }
}

async function command(argv: string[]): Promise<number> {
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
      if (r.world.stopped) {
        process.stderr.write(`packetwalk: ${file}: ${formatBudgetStop(r.world.stopped)}\n`);
        return 1;
      }
      process.stdout.write(`${canonicalJson(r.result)}\n`);
      // what the engine accepted but does not simulate like the kernel: stderr, so stdout stays the oracle format
      const limits = notModelled(r.world.scenario, r.world);
      for (const f of limits.slice(0, MAX_NOT_MODELLED_LINES)) process.stderr.write(`packetwalk: ${formatNotModelled(f)}\n`);
      if (limits.length > MAX_NOT_MODELLED_LINES) process.stderr.write(`packetwalk: … and ${limits.length - MAX_NOT_MODELLED_LINES} more not modelled\n`);
      const vlanHosts = r.world.hostList.filter((h) => h.net.links.some((l) => l.kind === 'vlan')).map((h) => h.name);
      if (vlanHosts.length) process.stderr.write(`packetwalk: VLAN devices (${vlanHosts.join(', ')}): ${VLAN_PROVENANCE}\n`);
      const brVlanHosts = r.world.hostList.filter((h) => h.net.links.some((l) => l.vlanFiltering)).map((h) => h.name);
      if (brVlanHosts.length) process.stderr.write(`packetwalk: bridge VLAN filtering (${brVlanHosts.join(', ')}): ${BRIDGE_VLAN_PROVENANCE}\n`);
      const tunnels = modelledTunnelsLine(r.world.hostList);
      if (tunnels) process.stderr.write(`packetwalk: ${tunnels}\n`);
      return 0;
    }
    case 'iptables-save':
      return iptablesSave(rest);
    case 'ipvs':
      return ipvsCase(rest);
    case 'share':
      return shareCase(rest);
    case 'challenge':
      return challengeCommand(rest);
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
