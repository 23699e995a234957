// pattern: Imperative Shell
// The forms read what a host holds from the worker's typed views — its
// configuration (hostView), a chain's rules a page at a time (chain), the
// extensions the rule form may offer — never from an export text parsed
// back. Each view is asked for again whenever the lab's version changes or
// a scenario is set from outside, so a form lists what the host holds now;
// not when the page's copy of the case catches up with the lab (a
// snapshot) or only the traffic changes, which leave every view as it was
// (at 50,000 rules a host view is tens of milliseconds of the worker's).

import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { EngineClient } from '../../worker/client';
import type { ChainPage, ExtensionCatalog, HostConfigView } from '../../worker/protocol';
import type { TableName } from '../../vocabulary/netfilter';
import { useDeps } from '../shell/context';
import { selectScenario } from '../state/walk-store';
import { ensureLab, sameConfig, selectLabVersion, selectSynced, type LabStores } from '../state/lab';

/** A host's configuration as the lab holds it now; null when the lab or the host is not there. */
export async function hostViewOf(stores: LabStores, client: EngineClient, host: string): Promise<HostConfigView | null> {
  const lab = await ensureLab(stores, client);
  return lab === null ? null : client.hostView(lab, host);
}

/** The first `count` rules of a chain, counters zero (no walk); null for a chain the host does not have. */
export async function chainRulesOf(stores: LabStores, client: EngineClient, host: string, table: TableName, chain: string, count: number): Promise<ChainPage | null> {
  const lab = await ensureLab(stores, client);
  return lab === null ? null : client.chain(lab, null, host, table, chain, -1, 0, count);
}

const catalogs = new WeakMap<EngineClient, Promise<ExtensionCatalog>>();

/** The engine's match and target extensions: the same for every lab, so asked for once per client. */
export function extensionsOf(client: EngineClient): Promise<ExtensionCatalog> {
  let got = catalogs.get(client);
  if (!got) {
    got = client.extensions();
    // a failed request (a worker restarting) is asked again next time
    got.catch(() => catalogs.delete(client));
    catalogs.set(client, got);
  }
  return got;
}

/**
 * What `fetch` gives for `key`, fetched again whenever the lab's version
 * changes or a scenario is set from outside. The last answer for the same
 * key stays shown while the next one is computed; another key's answer
 * never shows (null until its own comes).
 */
export function useLabView<T>(key: string, fetch: (stores: LabStores, client: EngineClient) => Promise<T | null>): T | null {
  const { stores, client } = useDeps();
  const scenario = useStore(stores.scenario, selectScenario);
  const synced = useStore(stores.lab, selectSynced);
  const version = useStore(stores.lab, selectLabVersion);
  // a scenario the lab does not hold yet (a file, a link): fetch, which gives it to the lab first
  const outside = sameConfig(synced, scenario) ? null : scenario;
  const [got, setGot] = useState<{ key: string; value: T | null } | null>(null);
  useEffect(() => {
    let live = true;
    fetch(stores, client).then(
      (value) => live && setGot({ key, value }),
      () => live && setGot({ key, value: null }),
    );
    return () => {
      live = false;
    };
    // `fetch` is a new closure each render: `key` names what it fetches
  }, [stores, client, outside, version, key]);
  return got && got.key === key ? got.value : null;
}

export function useHostView(host: string): HostConfigView | null {
  return useLabView(`host ${host}`, (stores, client) => hostViewOf(stores, client, host));
}

export function useChainRules(host: string, table: TableName, chain: string, count: number): ChainPage | null {
  return useLabView(`chain ${host} ${table} ${chain} ${count}`, (stores, client) => chainRulesOf(stores, client, host, table, chain, count));
}

/** The extension catalog, null until the worker has answered. */
export function useExtensions(): ExtensionCatalog | null {
  const { client } = useDeps();
  const [catalog, setCatalog] = useState<ExtensionCatalog | null>(null);
  useEffect(() => {
    let live = true;
    extensionsOf(client).then(
      (c) => live && setCatalog(c),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);
  return catalog;
}
