// pattern: Imperative Shell
// What the app shell mounts for IPVS, small enough for the first screen: the
// IPVS panel appears (loaded lazily) only when the walk has a host with
// virtual services; the kube-proxy comparison opens from a header button and
// loads, with its own engine worker, only then.

import { lazy, memo, Suspense, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { useDeps } from '../shell/context';
import { selectLog } from '../state/walk-store';
import type { WalkLog } from '../../engine/walk-log';
import { useIpvsT } from './t';

const IpvsPanel = lazy(() => import('./IpvsPanel'));
const KubeProxyView = lazy(() => import('./KubeProxyView'));

const hasIpvs = (log: WalkLog | null) => !!log && log.hosts.some((h) => h.ipvs !== null && h.ipvs !== undefined);

export const IpvsPanelMount = memo(function IpvsPanelMount() {
  const { stores } = useDeps();
  const t = useIpvsT();
  const show = useStore(stores.walk, (s) => hasIpvs(s.log));
  const log = useStore(stores.walk, selectLog);
  if (!show || !log) return null;
  return (
    <Suspense
      fallback={
        <section aria-label={t('ipvs.title')} className="min-h-[12rem] rounded-lg border border-slate-300 bg-white p-3">
          <p className="text-sm text-slate-700">{t('ipvs.loading')}</p>
        </section>
      }
    >
      <IpvsPanel />
    </Suspense>
  );
});

/** Whether the kube-proxy comparison is open (one per page: the header button and the view share it). */
export const kubeViewStore = createStore<{ open: boolean }>()(() => ({ open: false }));
const selectOpen = (s: { open: boolean }) => s.open;

/** The header's way in; `className` is the header's button style. */
export function KubeProxyButton({ className }: { className: string }) {
  const t = useIpvsT();
  const open = useStore(kubeViewStore, selectOpen);
  return (
    <button type="button" aria-expanded={open} aria-controls={open ? 'kube-proxy-view' : undefined} onClick={() => kubeViewStore.setState({ open: !open })} className={className}>
      {t('kube.open')}
    </button>
  );
}

export function KubeProxyMount() {
  const t = useIpvsT();
  const open = useStore(kubeViewStore, selectOpen);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) ref.current?.scrollIntoView?.({ block: 'start' });
  }, [open]);
  if (!open) return null;
  return (
    <div id="kube-proxy-view" ref={ref} className="scroll-mt-4">
      <Suspense
        fallback={
          <section aria-label={t('kube.title')} className="min-h-[30rem] rounded-lg border border-slate-300 bg-white p-3">
            <p className="text-sm text-slate-700">{t('kube.loading')}</p>
          </section>
        }
      >
        <KubeProxyView onClose={() => kubeViewStore.setState({ open: false })} />
      </Suspense>
    </div>
  );
}
