// pattern: Imperative Shell
// Offer text as a file the browser saves.

import type { Case } from '../../engine/scenario/case';

export function downloadText(name: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The scenario as a case file (what Import and drag-and-drop open again); returns the file name. */
export function downloadScenario(scenario: Case): string {
  const base = scenario.name.trim() || 'scenario';
  const file = `${base.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').slice(0, 100)}.json`;
  downloadText(file, `${JSON.stringify(scenario, null, 2)}\n`, 'application/json');
  return file;
}
