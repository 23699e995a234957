// pattern: Imperative Shell
// What the app shell mounts for IPVS, small enough for the first screen: the
// IPVS panel appears (loaded lazily) only when the walk has a host with
// virtual services; the kube-proxy comparison opens from a header button and
// loads only then.

import { lazy, memo, Suspense, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { selectKubeOpen, selectLog } from '../state/walk-store';
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

/** The header's way in; `className` is the header's button style. */
export function KubeProxyButton({ className }: { className: string }) {
  const t = useIpvsT();
  const { stores } = useDeps();
  const open = useStore(stores.kube, selectKubeOpen);
  return (
    <button type="button" aria-expanded={open} aria-controls={open ? 'kube-proxy-view' : undefined} onClick={() => stores.kube.setState({ open: !open })} className={className}>
      {t('kube.open')}
    </button>
  );
}

export function KubeProxyMount() {
  const t = useIpvsT();
  const { stores } = useDeps();
  const open = useStore(stores.kube, selectKubeOpen);
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
        <KubeProxyView onClose={() => stores.kube.setState({ open: false })} />
      </Suspense>
    </div>
  );
}
