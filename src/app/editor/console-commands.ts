// pattern: Imperative Shell
// The moment a console line is answered as of, and Tab's completions. The
// engine (lab/readonly.ts) decides which lines only read and answers them as
// the real tools print, as of the step on screen, without a version, an undo
// entry or a new walk — in the edit request itself (session.runLine), so a
// line that edits costs no extra round trip. Tab asks with `query`.

import type { EngineClient } from '../../worker/client';
import type { QueryResult } from '../../worker/protocol';
import type { Stores } from '../state/walk-store';
import { ensureLab } from '../state/lab';

/** The step the answer is as of: the walk on screen and its index (-1 before its first step, or without a walk). */
export function queryMoment(stores: Stores, lab: number): { walk: number | null; asOf: number } {
  const w = stores.walk.getState().walk;
  const walk = w && w.lab === lab ? w.walk : null;
  return { walk, asOf: walk === null ? -1 : stores.playback.getState().index };
}

/** `text` answered as a read-only command, `{edit: true}` when it changes something, null when there is no lab. */
export async function consoleQuery(stores: Stores, client: EngineClient, host: string, text: string, complete = false): Promise<(QueryResult & { asOf: number }) | null> {
  const lab = await ensureLab(stores, client);
  if (lab === null) return null;
  const { walk, asOf } = queryMoment(stores, lab);
  const r = await client.query(lab, walk, asOf, host, text, complete);
  return { ...r, asOf };
}

/** The longest start all the lines share: what Tab fills in when several complete. */
export function commonPrefix(lines: readonly string[]): string {
  if (!lines.length) return '';
  let p = lines[0]!;
  for (const l of lines) while (!l.startsWith(p)) p = p.slice(0, -1);
  return p;
}
