// pattern: Functional Core
// Recognise the files the app itself writes, so Import and drag-and-drop
// open them as a whole scenario instead of reading them as `ip … show`
// output: the case file (Export → Case file, Share → Download, the notice's
// Download), a save of an earlier PacketWalk ({version, savedAt, scenario}),
// and a share link pasted as text. JSON never is iptables-save or ip output,
// so text that starts like JSON is judged here and, when it is not a
// scenario, refused with the reason (invisible characters shown escaped);
// anything else goes to the iptables/ip importers as before.

import type { Case } from '../../engine/scenario/case';
import { checkCase } from '../../share/case-shape';
import { decodeSave } from './autosave';
import { escapeInvisible, stripBom } from './visible-text';

export type ScenarioFile =
  /** not JSON and not a link: iptables-save or ip show text for a host */
  | { kind: 'text'; text: string }
  | { kind: 'case' | 'save'; scenario: Case }
  /** a share link: the hash part, decoded by src/share (loaded lazily) */
  | { kind: 'link'; hash: string }
  | { kind: 'refused'; why: string };

/** Any JSON object, before it is known to be a scenario: truly open, each value is checked where it is read. */
type JsonObject = Record<string, unknown>;

/** Oracle result files (shared/oracle/FORMAT.md §2) are what the kernel printed, not a scenario. */
const isKernelResult = (o: JsonObject) => typeof o.format === 'string' && /^nfo-/.test(o.format) && 'packets' in o;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What a file or pasted text is.
 *
 * @example readScenarioFile('\uFEFF{"name":"x","hosts":[{"name":"a"}]}').kind === 'case'
 */
export function readScenarioFile(raw: string): ScenarioFile {
  const text = stripBom(raw);
  const head = text.trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return readJson(text);
  const link = /^\s*(?:https?:\/\/\S*)?#?(s(?:=|%3d)\S+)\s*$/i.exec(text);
  if (link && !text.trim().includes('\n')) return { kind: 'link', hash: `#${link[1]!}` };
  return { kind: 'text', text };
}

function readJson(text: string): ScenarioFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return refuse(`the file is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(parsed)) return refuse('the JSON is not an object with a scenario’s name and hosts');
  if (parsed.version !== undefined && 'scenario' in parsed) {
    const s = decodeSave(JSON.stringify(parsed));
    return s.scenario ? { kind: 'save', scenario: s.scenario } : refuse(s.problem ?? 'the saved scenario is empty');
  }
  if (isKernelResult(parsed)) return refuse(`this is a kernel result (${typeof parsed.case === 'string' ? `${parsed.case}.kernel.json` : 'NAME.kernel.json'}), not a scenario: open the case file it was recorded from`);
  const checked = checkCase(parsed);
  if (!checked.ok) return refuse(`the JSON is not a PacketWalk scenario (${checked.message})`);
  return { kind: 'case', scenario: checked.value };
}

const refuse = (why: string): ScenarioFile => ({ kind: 'refused', why: escapeInvisible(why) });
