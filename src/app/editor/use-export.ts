// pattern: Imperative Shell
// The engine's export of the edited host, fetched again whenever the
// lab's version or the host changes: the forms list what the host holds now.

import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { ExportKind } from '../../worker/protocol';
import { useDeps } from '../shell/context';
import { selectScenario } from '../state/walk-store';
import { exportFrom, selectLabVersion } from '../state/lab';

export function useExport(host: string | null, what: ExportKind): string | null {
  const { stores, client } = useDeps();
  // a scenario set from outside, or a new version of the lab (an edit, undo), is asked for again
  const scenario = useStore(stores.scenario, selectScenario);
  const version = useStore(stores.lab, selectLabVersion);
  const [got, setGot] = useState<{ key: unknown; host: string | null; what: ExportKind; text: string | null } | null>(null);
  useEffect(() => {
    let live = true;
    exportFrom(stores, client, host, what).then(
      (r) => live && setGot({ key: scenario, host, what, text: r.ok ? r.text : null }),
      () => live && setGot({ key: scenario, host, what, text: null }),
    );
    return () => {
      live = false;
    };
  }, [stores, client, scenario, version, host, what]);
  // the last answer stays shown while the next one is computed, unless it is another host's
  return got && got.host === host && got.what === what ? got.text : null;
}
