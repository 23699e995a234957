// pattern: Functional Core
// `ip [-4] link|address|route|rule|neigh|tunnel ...`: what ip/ip.c does before
// handing the words to one object's parser (ip-link.ts, ip-addr.ts,
// ip-route.ts, ip-rule.ts, ip-neigh.ts, as iproute2 6.1 splits them into
// iplink.c, ipaddress.c, iproute.c, iprule.c and ipneigh.c): the global
// options, the object and the verb, each matched as 6.1 matches it. The
// parsed command is applied to a HostNet with the kernel's answers.
//
// iproute2 matches objects and most verbs by unique-prefix-in-table-order
// (`matches()`: "r" is route because route comes before rule), but many
// keywords with strcmp; each keyword below uses what 6.1 uses.
//
// Message catalogue (iproute2 / kernel texts):
//   Object "x" is unknown, try "ip help".                      ip.c
//   Command "x" is unknown, try "ip route help".               iproute.c
//   Command line is not complete. Try option "help"            NEXT_ARG
//   Error: either "to" is duplicate, or "x" is a garbage.      duparg2
//   Error: argument "x" is wrong: "table" value is invalid     invarg
//   Error: any valid prefix is expected rather than "x".       get_prefix
//   Error: inet address is expected rather than "x".           get_addr
//   Cannot find device "eth9"                                  nodev
//   Not enough information: "dev" argument is required.        ipaddress.c
//   Device and destination are required arguments.             ipneigh.c
//   Flush requires arguments.                                  iproute.c / ipaddress.c
//   RTNETLINK answers: File exists | No such process | No such file or directory
//   Error: Nexthop has invalid gateway.                        fib_semantics.c
//   Error: Invalid prefix for given prefix length.             fib_trie.c
//   Error: ipv4: FIB table does not exist.                     fib_frontend.c (dump)

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import { splitWords } from '../text/shlex';
import type { HostNet } from './config';
import { Cursor, SOURCE, matches } from './ip-args';
import { ADDRESS_VERBS, applyAddr, parseAddr, type IpAddrCommand } from './ip-addr';
import { LINK_VERBS, applyLink, parseLink, type IpLinkCommand } from './ip-link';
import { NEIGH_VERBS, applyNeigh, parseNeigh, type IpNeighCommand } from './ip-neigh';
import { ROUTE_VERBS, applyRoute, parseRoute, type IpRouteCommand } from './ip-route';
import { RULE_VERBS, applyRule, parseRule, type IpRuleCommand } from './ip-rule';
import { TUNNEL_VERBS, applyTunnel, parseTunnel, type IpTunnelCommand } from './tunnel';

export type IpObject = 'link' | 'address' | 'route' | 'rule' | 'neigh' | 'tunnel';

export type IpCommand = IpLinkCommand | IpAddrCommand | IpRouteCommand | IpRuleCommand | IpNeighCommand | IpTunnelCommand;

/** ip.c's cmds[] order: the first entry the word is a prefix of wins. */
const OBJECTS: readonly [string, IpObject | null][] = [
  ['address', 'address'],
  ['addrlabel', null],
  ['maddress', null],
  ['route', 'route'],
  ['rule', 'rule'],
  ['neighbor', 'neigh'],
  ['neighbour', 'neigh'],
  ['ntable', null],
  ['ntbl', null],
  ['link', 'link'],
  ['l2tp', null],
  ['fou', null],
  ['ila', null],
  ['macsec', null],
  ['tunnel', 'tunnel'],
  ['tunl', 'tunnel'],
  ['tuntap', null],
  ['tap', null],
  ['token', null],
  ['tcpmetrics', null],
  ['tcp_metrics', null],
  ['monitor', null],
  ['xfrm', null],
  ['mroute', null],
  ['mrule', null],
  ['netns', null],
  ['netconf', null],
  ['vrf', null],
  ['sr', null],
  ['nexthop', null],
  ['mptcp', null],
  ['ioam', null],
  ['stats', null],
  ['help', null],
];

const HELP_NAME: Readonly<Record<IpObject, string>> = {
  link: 'ip link',
  address: 'ip address',
  route: 'ip route',
  rule: 'ip rule',
  neigh: 'ip neigh',
  tunnel: 'ip tunnel',
};

/** Verb tables in the order each do_ip*() tests them; [word, verb, exact?]. */

/** Verb tables in the order each do_ip*() tests them; [word, verb, exact?]. */
const VERBS: Readonly<Record<IpObject, readonly [string, string, boolean][]>> = {
  route: ROUTE_VERBS,
  address: ADDRESS_VERBS,
  rule: RULE_VERBS,
  neigh: NEIGH_VERBS,
  link: LINK_VERBS,
  tunnel: TUNNEL_VERBS,
};

/**
 * Parse one `ip` command line. Returns null as value when iproute2 would
 * refuse it before talking to the kernel.
 *
 * @example parseIpCommand('ip ro add default via 10.0.0.1')
 */
export function parseIpCommand(text: string, base = 0): Parsed<IpCommand> {
  const split = splitWords(text, base, SOURCE);
  return parseIpWords(split.words, split.diagnostics, base, base + text.length);
}

/**
 * parseIpCommand on a line already split into words (offsets from `base`, the
 * line ending at `end`), with the splitter's diagnostics: the importer builds
 * its commands word by word and need not split them again (issue 10).
 */
export function parseIpWords(words: Word[], diagnostics: Diagnostic[], base: number, end: number): Parsed<IpCommand> {
  const c = new Cursor(words, diagnostics);
  if (diagnostics.length > 0) c.failed = true;
  const whole: Span = { from: words[0]?.from ?? base, to: words[words.length - 1]?.to ?? end };
  if (c.done || c.peek()!.text !== 'ip') {
    c.fail(c.peek() ?? { from: base, to: end }, 'expected an `ip` command', 'ip/not-ip', 'ip');
    return { value: null, diagnostics };
  }
  c.take();
  let inet = false;
  while (!c.done && c.peek()!.text.startsWith('-')) {
    const opt = c.take();
    if (opt.text === '-4') inet = true;
    else if (opt.text === '-6' || opt.text === '-0') c.fail(opt, `Option "${opt.text}" is not supported here (IPv4 only)`, 'ip/unsupported-family');
    else if (opt.text === '-j' || opt.text === '-json' || opt.text === '-d' || opt.text === '-details' || opt.text === '-s') continue;
    else c.fail(opt, `Option "${opt.text}" is unknown, try "ip -help".`, 'ip/unknown-option');
  }
  if (c.done) {
    c.fail({ from: whole.to, to: whole.to }, 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }', 'ip/no-object', 'link, address, route, rule or neigh');
    return { value: null, diagnostics };
  }
  const objWord = c.take();
  const entry = OBJECTS.find(([name]) => matches(objWord.text, name));
  if (!entry || entry[1] === null) {
    if (entry && entry[0] === 'netns') c.fail(objWord, 'ip netns is not allowed in a case', 'ip/netns');
    else c.fail(objWord, `Object "${objWord.text}" is unknown, try "ip help".`, 'ip/unknown-object', 'link, address, route, rule or neigh');
    return { value: null, diagnostics };
  }
  const object = entry[1];
  let verb: string;
  let verbSpan: Span;
  if (c.done) {
    verb = 'show';
    verbSpan = { from: objWord.to, to: objWord.to };
  } else {
    const vw = c.take();
    verbSpan = vw;
    const hit = VERBS[object].find(([name, , exact]) => (exact ? vw.text === name : matches(vw.text, name)));
    if (!hit || hit[1] === '') {
      c.fail(vw, `Command "${vw.text}" is unknown, try "${HELP_NAME[object]} help".`, 'ip/unknown-command');
      return { value: null, diagnostics };
    }
    verb = hit[1];
  }
  const b = { span: whole, inet, verbSpan };
  let cmd: IpCommand | null;
  switch (object) {
    case 'link':
      cmd = parseLink(c, b, verb as IpLinkCommand['verb']);
      break;
    case 'address':
      cmd = parseAddr(c, b, verb as IpAddrCommand['verb']);
      break;
    case 'route':
      cmd = parseRoute(c, b, verb as IpRouteCommand['verb']);
      break;
    case 'rule':
      cmd = parseRule(c, b, verb as IpRuleCommand['verb']);
      break;
    case 'neigh':
      cmd = parseNeigh(c, b, verb as IpNeighCommand['verb']);
      break;
    case 'tunnel':
      cmd = parseTunnel(c, b, verb as IpTunnelCommand['verb']);
      break;
  }
  return { value: c.failed ? null : cmd, diagnostics };
}

/**
 * Parse and apply one command line: the parser's diagnostics when it is
 * refused, else the kernel's answers. What a case loader runs per setup line.
 *
 * @example execIpCommand(net, 'ip route add default via 10.0.0.1') // []
 */
export function execIpCommand(net: HostNet, text: string, base = 0): Diagnostic[] {
  const parsed = parseIpCommand(text, base);
  if (!parsed.value) return parsed.diagnostics;
  return [...parsed.diagnostics, ...applyIpCommand(net, parsed.value)];
}

/**
 * Apply a parsed command to the host as the kernel would, returning the
 * messages iproute2 prints (errors only; show/get commands change nothing).
 */
export function applyIpCommand(net: HostNet, cmd: IpCommand): Diagnostic[] {
  switch (cmd.object) {
    case 'link':
      return applyLink(net, cmd);
    case 'address':
      return applyAddr(net, cmd);
    case 'route':
      return applyRoute(net, cmd);
    case 'rule':
      return applyRule(net, cmd);
    case 'neigh':
      return applyNeigh(net, cmd);
    case 'tunnel':
      return applyTunnel(net, cmd);
  }
}
