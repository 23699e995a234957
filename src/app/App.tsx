// pattern: Imperative Shell
// The app shell: header, the packet form, playback, the flow graph and
// topology, and the panels. Every block is a labelled region so screen
// readers and tests can find it by name. State lives in the zustand stores;
// components subscribe with the module-level selectors.
//
// Three layouts share the same pieces: the full app; presenter mode (P:
// large type, the current hook spotlighted, no forms, a QR code of the
// step's link); and the embed mode of course pages (`&embed=1`: the lesson
// the link names, graph, playback and headers, nothing to edit).
//
// Its stylesheet (app.css) is loaded by main.tsx with index.css, before the
// first paint: the font stacks there also set the static first screen.

import { lazy, memo, Suspense, useEffect, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import { selectChallenge, selectEmbed, selectErrors, selectLesson, selectLoads, selectPresenter, selectScreen, selectShareOpen, selectStatus, setPresenter, type Stores } from './state/walk-store';
import { DepsContext, useDeps, type AppDeps } from './shell/context';
import { PacketForm } from './shell/PacketForm';
import { TrafficTimeline } from './shell/TrafficTimeline';
import { Playback, usePlaybackKeys, usePlaybackTimer, typingIn } from './shell/Playback';
import { ChainRulesView, FlowGraphView, TopologyView } from './shell/GraphArea';
import { Header } from './shell/Header';
import { LinkNoticeBar } from './shell/LinkNotice';
import { EngineNotice } from './shell/EngineNotice';
import { NotModelledNotice } from './shell/NotModelledNotice';
import { BudgetNotice } from './shell/BudgetNotice';
import { PersistNotice } from './shell/PersistNotice';
import { HeadersPanel } from './panels/HeadersPanel';
import { RoutingPanel } from './panels/RoutingPanel';
import { ConntrackPanel } from './panels/ConntrackPanel';
import { EventList } from './panels/EventList';
import { Panel } from './panels/Panel';
import { langStore, selectLangReady, useT } from './i18n/lang';
import { IpvsPanelMount, KubeProxyMount } from './ipvs/mount';
import { translateNotice } from './shell/notices';

const TraceLog = lazy(() => import('./panels/TraceLog'));
// The editor (issue 4) is below the first screen: its forms and the engine's extension registries load on their own.
const Editor = lazy(() => import('./editor/Editor'));
// Issue 6: none of these is on the first screen.
const SharePanel = lazy(() => import('./share/SharePanel'));
const GalleryView = lazy(() => import('./gallery/GalleryView'));
const LessonPanel = lazy(() => import('./gallery/LessonPanel'));
const PresenterSide = lazy(() => import('./presenter/PresenterSide'));
// Issue 14: the course's list and a challenge's page load when first opened.
const CourseView = lazy(() => import('./course/CourseView'));
const ChallengePanel = lazy(() => import('./course/ChallengePanel'));

const Problems = memo(function Problems() {
  const { stores } = useDeps();
  const t = useT();
  const status = useStore(stores.walk, selectStatus);
  const errors = useStore(stores.walk, selectErrors);
  // the autosave's word (a save that could not be restored or kept, another tab's newer save), with what to do about it
  if (status !== 'error') return <PersistNotice />;
  return (
    <>
      <PersistNotice />
      <div role="alert" className="rounded-lg border-2 border-red-700 bg-red-50 px-4 py-3 text-red-900">
        <p className="font-semibold">{t('app.simError')}</p>
        <ul className="mt-1 list-disc pl-5 font-mono text-sm">
          {errors.map((e, k) => (
            <li key={k}>{translateNotice(t, e)}</li>
          ))}
        </ul>
      </div>
    </>
  );
});

/** P toggles presenter mode, Esc leaves it; both only when the user is not typing. */
export function handleModeKey(stores: Stores, e: KeyboardEvent): void {
  if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || typingIn(e.target)) return;
  const ui = stores.ui.getState();
  if ((e.key === 'p' || e.key === 'P') && !ui.embed) {
    setPresenter(stores, !ui.presenter);
    e.preventDefault();
  } else if (e.key === 'Escape' && ui.presenter) {
    setPresenter(stores, false);
    e.preventDefault();
  }
}

function useModeKeys(): void {
  const { stores } = useDeps();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => handleModeKey(stores, e);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [stores]);
}

/** Presenter mode restyles the whole page (type size, contrast): a class on <html>. */
function usePresenterClass(presenter: boolean): void {
  useEffect(() => {
    const root = document.documentElement;
    root.classList.toggle('presenter', presenter);
    return () => root.classList.remove('presenter');
  }, [presenter]);
}

function Behaviour() {
  usePlaybackKeys();
  usePlaybackTimer();
  useModeKeys();
  return null;
}

function Loading({ label, className = '' }: { label: string; className?: string }) {
  return (
    <div className={`rounded-lg border border-slate-300 bg-white p-3 ${className}`}>
      <p className="text-sm text-slate-700">{label}</p>
    </div>
  );
}

function Lesson({ compact = false, embed = false }: { compact?: boolean; embed?: boolean }) {
  const { stores } = useDeps();
  const t = useT();
  const lesson = useStore(stores.ui, selectLesson);
  if (!lesson) return null;
  return (
    <Suspense fallback={<Loading label={t('common.loading')} className="min-h-[8rem]" />}>
      <LessonPanel id={lesson} compact={compact} embed={embed} />
    </Suspense>
  );
}

function Challenge() {
  const { stores } = useDeps();
  const t = useT();
  const challenge = useStore(stores.ui, selectChallenge);
  if (!challenge) return null;
  return (
    <Suspense fallback={<Loading label={t('common.loading')} className="min-h-[8rem]" />}>
      <ChallengePanel />
    </Suspense>
  );
}

function WalkScreen() {
  const { stores } = useDeps();
  const t = useT();
  const shareOpen = useStore(stores.ui, selectShareOpen);
  const loads = useStore(stores.ui, selectLoads);
  return (
    <>
      {shareOpen && (
        <Suspense fallback={<Loading label={t('common.loading')} />}>
          <SharePanel />
        </Suspense>
      )}
      <div className="rounded-lg border border-slate-300 bg-white px-3 py-2">
        <PacketForm key={loads} />
        <TrafficTimeline />
      </div>
      <Challenge />
      <Problems />
      <BudgetNotice />
      <NotModelledNotice />
      <Lesson />
      <div data-sticky-bar className="z-20 rounded-lg border border-slate-300 bg-white/95 px-3 py-2 shadow-sm lg:sticky lg:top-0">
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
        <IpvsPanelMount />
        <EventList />
        <Suspense
          fallback={
            <Panel title={t('panel.traceLog')} className="h-[28rem]">
              <p className="text-sm text-slate-700">{t('common.loading')}</p>
            </Panel>
          }
        >
          <TraceLog />
        </Suspense>
      </div>
      <Suspense
        fallback={
          <section aria-label={t('editor.title')} className="min-h-[40rem] rounded-lg border border-slate-300 bg-slate-100 p-3">
            <p className="text-sm text-slate-700">{t('editor.loading')}</p>
          </section>
        }
      >
        <Editor />
      </Suspense>
    </>
  );
}

function GalleryScreen() {
  const t = useT();
  return (
    <Suspense fallback={<Loading label={t('gallery.loading')} className="min-h-[30rem]" />}>
      <GalleryView />
    </Suspense>
  );
}

function CourseScreen() {
  const t = useT();
  return (
    <Suspense fallback={<Loading label={t('course.loading')} className="min-h-[30rem]" />}>
      <CourseView />
    </Suspense>
  );
}

const WIDE = '(min-width: 1600px)';
function subscribeWide(changed: () => void): () => void {
  const q = window.matchMedia(WIDE);
  q.addEventListener('change', changed);
  return () => q.removeEventListener('change', changed);
}

/** A screen wide enough for presenter mode's side column next to a full-size graph (1920×1080, not 1366×768). */
function useWideScreen(): boolean {
  return useSyncExternalStore(
    subscribeWide,
    () => window.matchMedia(WIDE).matches,
    () => false,
  );
}

/**
 * Presenter mode: the walk for a room. Forms and editors are gone; ← → still
 * step. The graph takes the rest of the screen below the playback bar; on a
 * screen under 1600 px the step card with its QR code sits in the graph's
 * lower left corner instead of a side column.
 */
function PresenterScreen() {
  const t = useT();
  const wide = useWideScreen();
  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <Lesson compact />
      <BudgetNotice />
      <NotModelledNotice />
      <div data-sticky-bar className="z-20 rounded-lg border-2 border-black bg-white px-3 py-1">
        <Playback />
      </div>
      <div className="flex min-h-0 flex-1 gap-3">
        <div className="relative flex min-h-0 min-w-0 flex-1 flex-col" data-testid="presenter-graph">
          <FlowGraphView spotlight fill />
          {!wide && (
            <div className="absolute bottom-3 left-14 z-10">
              <Suspense fallback={null}>
                <PresenterSide compact />
              </Suspense>
            </div>
          )}
        </div>
        {wide && (
          <div className="flex w-[24rem] min-w-0 shrink-0 flex-col gap-3 overflow-y-auto">
            <Suspense fallback={<Loading label={t('common.loading')} className="h-64" />}>
              <PresenterSide />
            </Suspense>
            <HeadersPanel />
          </div>
        )}
      </div>
    </div>
  );
}

/** Embed mode: a read-only walk for a course page, with the lesson its link names. */
function EmbedScreen() {
  return (
    <>
      <Lesson embed />
      <div className="rounded-lg border border-slate-300 bg-white px-3 py-2">
        <Playback />
      </div>
      <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <FlowGraphView />
        <HeadersPanel />
      </div>
    </>
  );
}

function Footer() {
  const t = useT();
  return (
    <footer className="border-t border-slate-300">
      <p className="mx-auto max-w-[110rem] px-4 py-3 text-sm text-slate-700">{t('app.footer')}</p>
    </footer>
  );
}

function Screens() {
  const { stores } = useDeps();
  const ready = useStore(langStore, selectLangReady);
  const screen = useStore(stores.ui, selectScreen);
  const presenter = useStore(stores.ui, selectPresenter);
  const embed = useStore(stores.ui, selectEmbed);
  usePresenterClass(presenter);
  // the start language's strings are on their way (a few kB): wait for them rather than flash English
  if (!ready) return null;
  return (
    <div className={`flex flex-col text-slate-900 ${presenter ? 'h-dvh min-h-[32rem] bg-white' : 'min-h-screen bg-slate-50'}`}>
      <Header />
      <main className={`mx-auto flex w-full flex-1 flex-col ${presenter ? 'min-h-0 max-w-none gap-2 px-3 py-2' : 'max-w-[110rem] gap-3 px-4 py-3'}`}>
        {!presenter && <LinkNoticeBar />}
        <EngineNotice />
        {!embed && !presenter && <KubeProxyMount />}
        {embed ? <EmbedScreen /> : presenter ? <PresenterScreen /> : screen === 'gallery' ? <GalleryScreen /> : screen === 'course' ? <CourseScreen /> : <WalkScreen />}
      </main>
      {!embed && !presenter && <Footer />}
    </div>
  );
}

export function App({ deps }: { deps: AppDeps }) {
  return (
    <DepsContext value={deps}>
      <Behaviour />
      <Screens />
    </DepsContext>
  );
}
