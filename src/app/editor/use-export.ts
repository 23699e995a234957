// pattern: Imperative Shell
// The engine's export of the edited host, fetched again whenever the
// scenario or the host changes: the forms list what the scenario holds now.

import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { ExportKind } from '../../worker/protocol';
import { useDeps } from '../shell/context';
import { selectScenario } from '../state/walk-store';

export function useExport(host: string | null, what: ExportKind): string | null {
  const { stores, client } = useDeps();
  const scenario = useStore(stores.scenario, selectScenario);
  const [got, setGot] = useState<{ key: unknown; host: string | null; what: ExportKind; text: string | null } | null>(null);
  useEffect(() => {
    let live = true;
    client.export(scenario, host, what).then(
      (r) => live && setGot({ key: scenario, host, what, text: r.ok ? r.text : null }),
      () => live && setGot({ key: scenario, host, what, text: null }),
    );
    return () => {
      live = false;
    };
  }, [client, scenario, host, what]);
  // the last answer stays shown while the next one is computed, unless it is another host's
  return got && got.host === host && got.what === what ? got.text : null;
}
