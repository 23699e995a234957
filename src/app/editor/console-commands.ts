// pattern: Functional Core
// The console's read-only commands: they change nothing, so they are not
// sent as edits; the engine's exports answer them as iproute2 6.1 and
// iptables 1.8.9 print.

import type { ExportKind } from '../../worker/protocol';

/** Read-only commands answered from the engine's exports, as iproute2 and iptables print them. */
export function readOnlyCommand(text: string): ExportKind | null {
  const t = text.trim().replace(/\s+/g, ' ');
  if (/^iptables-save$/.test(t)) return 'iptables-save';
  if (/^ip (-4 )?r(o|ou|out|oute)?( (show|list|lst|sh|ls))?$/.test(t)) return 'ip-route';
  if (/^ip (-4 )?r(o|ou|out|oute)? (show|list|lst|sh|ls) table all$/.test(t)) return 'ip-route-all';
  if (/^ip (-4 )?ru(l|le)?( (show|list|lst|sh|ls))?$/.test(t)) return 'ip-rule';
  return null;
}
