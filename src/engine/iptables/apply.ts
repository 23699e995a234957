// pattern: Functional Core
// A parsed `iptables` command applied to a host's Ruleset the way
// iptables-legacy does it (one table commit per command; iptables-restore
// commits at COMMIT), and the messages iptables prints when it or the
// kernel refuses: do_command4's checks of -j/-g names, then ruleset.ts's
// answers.

import type { Diagnostic, Span } from '../text/diagnostics';
import type { TableName } from '../netfilter/hooks';
import type { Rule } from './types';
import { IPTABLES_VERSION, type IptablesCommand } from './command';
import type { Ruleset, RulesetError } from './ruleset';
import {
  MSG_NO_CHAIN, addChain, appendRule, checkRule, deleteChain, deleteRuleNum, deleteRuleSpec, flushChain,
  insertRule, renameChain, replaceRule, setPolicy, touchTable, zeroCounters,
} from './ruleset';

/**
 * Runs the command against `rs` like iptables would (one table commit per
 * command). Returns the diagnostics iptables would print; empty on success.
 */
export function applyIptablesCommand(rs: Ruleset, cmd: IptablesCommand, program = 'iptables'): Diagnostic[] {
  const e = applyCommand(rs, cmd);
  return e ? errorDiagnostics(e, cmd, program) : [];
}

/** Turns a RulesetError into diagnostics pointing at the command. */
export function errorDiagnostics(e: RulesetError, cmd: IptablesCommand, program = 'iptables', at?: Span): Diagnostic[] {
  const span = at ?? (e.code === 'iptables/no-chain' && cmd.chainSpan ? cmd.chainSpan : cmd.span);
  const message = program === 'iptables' ? e.message : e.message.replace(/^iptables:/, `${program}:`);
  const out: Diagnostic[] = [{ from: span.from, to: span.to, severity: 'error', message, source: program, code: e.code }];
  if (e.kernelLog) out.push({ from: span.from, to: span.to, severity: 'info', message: `dmesg: ${e.kernelLog}`, source: 'kernel', code: 'kernel/log' });
  return out;
}

/**
 * do_command4's refusal of a -j/-g name that is no chain of the table: `-g`
 * must name a chain; `-j` falls back to loading an extension of that name.
 */
function unknownTarget(rs: Ruleset, table: TableName, r: Rule): RulesetError | null {
  const tg = r.target;
  if (!tg || !(tg.kind === 'chain' || r.goto) || rs.tables[table].chains.has(tg.name)) return null;
  if (r.goto) return { message: `iptables ${IPTABLES_VERSION}: goto '${tg.name}' is not a chain`, code: 'iptables/unknown-target' };
  return { message: `iptables ${IPTABLES_VERSION}: Couldn't load target \`${tg.name}':No such file or directory`, code: 'iptables/unknown-target' };
}

/**
 * The RulesetError of the first failing step, null on success.
 * `deferKernel`: iptables-restore, where the kernel sees the table only at COMMIT.
 */
export function applyCommand(rs: Ruleset, cmd: IptablesCommand, opts: { deferKernel?: boolean } = {}): RulesetError | null {
  const kernel = !opts.deferKernel;
  const t = cmd.table;
  const chain = cmd.chain;
  switch (cmd.kind) {
    case 'append':
    case 'insert':
    case 'replace': {
      // an unknown -j name is neither a chain nor an extension: libxtables' error, at parse time
      for (const r of cmd.rules) {
        const e = unknownTarget(rs, t, r);
        if (e) return e;
      }
      for (let i = 0; i < cmd.rules.length; i++) {
        const r = cmd.rules[i]!;
        const e =
          cmd.kind === 'append'
            ? appendRule(rs, t, chain!, r, cmd.counters, kernel)
            : cmd.kind === 'insert'
              ? insertRule(rs, t, chain!, (cmd.ruleNum ?? 1) + i, r, cmd.counters, kernel)
              : replaceRule(rs, t, chain!, cmd.ruleNum!, r, cmd.counters, kernel);
        if (e) return e;
      }
      return null;
    }
    case 'delete':
      if (cmd.ruleNum !== null) return deleteRuleNum(rs, t, chain!, cmd.ruleNum);
      for (const r of cmd.rules) {
        const u = unknownTarget(rs, t, r);
        if (u) return u;
        const e = deleteRuleSpec(rs, t, chain!, r);
        if (e) return e;
      }
      return null;
    case 'check':
      for (const r of cmd.rules) {
        const e = checkRule(rs, t, chain!, r);
        if (e) return e;
      }
      return null;
    case 'new-chain':
      return addChain(rs, t, chain!);
    case 'delete-chain':
      return deleteChain(rs, t, chain);
    case 'rename-chain':
      return renameChain(rs, t, chain!, cmd.newName!);
    case 'flush':
      return flushChain(rs, t, chain);
    case 'zero':
      return zeroCounters(rs, t, chain, cmd.ruleNum);
    case 'policy':
      return setPolicy(rs, t, chain!, cmd.policy!, cmd.counters);
    case 'list':
    case 'list-rules':
      touchTable(rs, t);
      return chain !== null && !rs.tables[t].chains.has(chain) ? { message: `iptables: ${MSG_NO_CHAIN}`, code: 'iptables/no-chain' } : null;
  }
}
