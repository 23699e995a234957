// pattern: Imperative Shell
// Import's side for whole scenarios: a case file, a save of an earlier
// PacketWalk or a share link pasted or chosen in the Import panel is offered
// as the scenario to open (the engine checks it first; the work it replaces
// is kept as a saved version). Files dropped anywhere on the page land in
// the Import panel instead of making the browser leave the app to show them.

import { memo, useEffect, useRef, useState } from 'react';
import { useDeps } from '../shell/context';
import { openScenario } from '../share/links';
import type { ScenarioFile } from '../state/scenario-file';
import { escapeInvisible } from '../state/visible-text';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import { primaryCls } from './ui';
import type { Case } from '../../engine/scenario/case';

const KIND: Record<'case' | 'save' | 'link', MessageKey> = { case: 'scenarioFile.kind.case', save: 'scenarioFile.kind.save', link: 'scenarioFile.kind.link' };

type Opened = { state: 'idle' } | { state: 'checking' } | { state: 'refused'; why: string };

/** The offer to open a recognised scenario, or why a JSON text is not one; nothing for iptables/ip text. */
export const ScenarioFileBox = memo(function ScenarioFileBox({ found, onOpened }: { found: ScenarioFile; onOpened: () => void }) {
  const { stores, client } = useDeps();
  const t = useT();
  const [opened, setOpened] = useState<Opened>({ state: 'idle' });
  useEffect(() => setOpened({ state: 'idle' }), [found]);
  if (found.kind === 'text') return null;
  if (found.kind === 'refused') {
    return (
      <p role="alert" data-testid="scenario-file-refused" className="text-sm font-medium text-red-800">
        {t('scenarioFile.refused', { why: found.why })}
      </p>
    );
  }
  const preview = found.kind === 'link' ? null : found.scenario;
  const open = async () => {
    setOpened({ state: 'checking' });
    let scenario: Case;
    if (found.kind === 'link') {
      const mod = await import('../../share/link');
      const r = mod.decodeShare(found.hash);
      if (!r.ok) {
        setOpened({ state: 'refused', why: `${mod.SHARE_ERROR_TEXT[r.error.kind][t.lang]} (${escapeInvisible(r.error.detail)})` });
        return;
      }
      scenario = r.state.scenario;
    } else scenario = found.scenario;
    // the engine reads it as it will simulate it: a file it refuses replaces nothing
    const check = await client.check(scenario);
    if (!check.ok) {
      setOpened({ state: 'refused', why: escapeInvisible(check.errors.join('; ')) });
      return;
    }
    setOpened({ state: 'idle' });
    if (await openScenario(stores, client, scenario, { from: 'file' })) {
      onOpened();
      window.scrollTo({ top: 0 });
    }
  };
  return (
    <div className="flex flex-col gap-2 rounded border border-blue-700 bg-blue-50 px-3 py-2 text-sm text-blue-950" data-testid="scenario-file">
      <p>
        {preview
          ? t('scenarioFile.found', { what: t(KIND[found.kind]), name: escapeInvisible(preview.name || '—'), hosts: preview.hosts.length })
          : t(KIND[found.kind])}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={primaryCls} disabled={opened.state === 'checking'} onClick={() => void open()}>
          {t('scenarioFile.open')}
        </button>
        <span role="status" className="text-sm">
          {opened.state === 'checking' ? t('scenarioFile.opening') : ''}
        </span>
      </div>
      {opened.state === 'refused' && (
        <p role="alert" data-testid="scenario-file-refused" className="font-medium text-red-800">
          {t('scenarioFile.refused', { why: opened.why })}
        </p>
      )}
    </div>
  );
});

/**
 * Files dropped on the page go to `onFile` (the Import panel) rather than
 * replacing the app with the browser's view of the file.
 */
export function usePageFileDrop(onFile: (f: File) => void, target: React.RefObject<HTMLElement | null>): void {
  const latest = useRef(onFile);
  latest.current = onFile;
  useEffect(() => {
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      const f = e.dataTransfer?.files[0];
      if (!f) return;
      latest.current(f);
      target.current?.scrollIntoView({ block: 'nearest' });
    };
    document.addEventListener('dragover', over);
    document.addEventListener('drop', drop);
    return () => {
      document.removeEventListener('dragover', over);
      document.removeEventListener('drop', drop);
    };
  }, [target]);
}
