// pattern: Imperative Shell
// The app shell: header, the packet form, playback, the flow graph and
// topology, and the panels. Every block is a labelled region so screen
// readers and tests can find it by name. State lives in the zustand stores;
// components subscribe with the module-level selectors.

import { lazy, memo, Suspense } from 'react';
import { useStore } from 'zustand';
import { selectErrors, selectNotice, selectScenario, selectStatus } from './state/walk-store';
import { DepsContext, useDeps, type AppDeps } from './shell/context';
import { PacketForm } from './shell/PacketForm';
import { Playback, usePlaybackKeys, usePlaybackTimer } from './shell/Playback';
import { ChainRulesView, FlowGraphView, TopologyView } from './shell/GraphArea';
import { HeadersPanel } from './panels/HeadersPanel';
import { RoutingPanel } from './panels/RoutingPanel';
import { ConntrackPanel } from './panels/ConntrackPanel';
import { EventList } from './panels/EventList';
import { Panel } from './panels/Panel';

const TraceLog = lazy(() => import('./panels/TraceLog'));
// The editor (issue 4) is below the first screen: its forms and the engine's extension registries load on their own.
const Editor = lazy(() => import('./editor/Editor'));

const Header = memo(function Header() {
  const { stores } = useDeps();
  const scenario = useStore(stores.scenario, selectScenario);
  const name = typeof scenario.name === 'string' ? scenario.name : 'scenario';
  const description = typeof scenario.description === 'string' ? scenario.description : '';
  return (
    <header className="bg-slate-900 text-white">
      <div className="mx-auto flex max-w-[110rem] flex-wrap items-baseline gap-x-4 gap-y-1 px-4 py-3">
        <h1 className="text-2xl font-semibold tracking-tight">PacketWalk</h1>
        <p className="text-base text-slate-100">
          Scenario <strong className="font-mono">{name}</strong>
        </p>
        <a href="#editor" className="ml-auto rounded px-2 py-1 text-base text-white underline underline-offset-2 hover:bg-slate-800 focus:outline-2 focus:outline-white">
          Edit the scenario
        </a>
        {description && <p className="w-full max-w-[90ch] text-sm leading-snug text-slate-200">{description}</p>}
      </div>
    </header>
  );
});

const Problems = memo(function Problems() {
  const { stores } = useDeps();
  const status = useStore(stores.walk, selectStatus);
  const errors = useStore(stores.walk, selectErrors);
  const notice = useStore(stores.scenario, selectNotice);
  if (status !== 'error') {
    // the autosave's word (a save that could not be restored or kept) is shown once the editor is not there to show it
    return notice ? (
      <p role="status" className="rounded-lg border border-amber-700 bg-amber-50 px-4 py-2 text-amber-950">
        {notice}
      </p>
    ) : null;
  }
  return (
    <div role="alert" className="rounded-lg border-2 border-red-700 bg-red-50 px-4 py-3 text-red-900">
      <p className="font-semibold">The scenario could not be simulated:</p>
      <ul className="mt-1 list-disc pl-5 font-mono text-sm">
        {errors.map((e, k) => (
          <li key={k}>{e}</li>
        ))}
      </ul>
    </div>
  );
});

function Behaviour() {
  usePlaybackKeys();
  usePlaybackTimer();
  return null;
}

export function App({ deps }: { deps: AppDeps }) {
  return (
    <DepsContext value={deps}>
      <Behaviour />
      <div className="flex min-h-screen flex-col bg-slate-50 text-slate-900">
        <Header />
        <main className="mx-auto flex w-full max-w-[110rem] flex-1 flex-col gap-3 px-4 py-3">
          <div className="rounded-lg border border-slate-300 bg-white px-3 py-2">
            <PacketForm />
          </div>
          <Problems />
          <div className="z-20 rounded-lg border border-slate-300 bg-white/95 px-3 py-2 shadow-sm lg:sticky lg:top-0">
            <Playback />
          </div>
          <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_22rem] 2xl:grid-cols-[minmax(0,1fr)_28rem]">
            <div className="flex min-w-0 flex-col gap-3">
              <FlowGraphView />
              <TopologyView />
              <ChainRulesView />
            </div>
            <div className="flex min-w-0 flex-col gap-3">
              <HeadersPanel />
              <RoutingPanel />
              <ConntrackPanel />
            </div>
          </div>
          <div className="flex flex-col gap-3">
            <EventList />
            <Suspense
              fallback={
                <Panel title="Trace log" className="h-[28rem]">
                  <p className="text-sm text-slate-700">Loading…</p>
                </Panel>
              }
            >
              <TraceLog />
            </Suspense>
          </div>
          <Suspense
            fallback={
              <section aria-label="Edit the scenario" className="min-h-[40rem] rounded-lg border border-slate-300 bg-slate-100 p-3">
                <p className="text-sm text-slate-700">Loading the editor…</p>
              </section>
            }
          >
            <Editor />
          </Suspense>
        </main>
        <footer className="border-t border-slate-300">
          <p className="mx-auto max-w-[110rem] px-4 py-3 text-sm text-slate-700">
            Runs entirely in your browser. Keys: ← → step, Space play/pause, + − speed, Home End first/last step, Ctrl+Z / Ctrl+Shift+Z undo / redo an edit.
          </p>
        </footer>
      </div>
    </DepsContext>
  );
}
