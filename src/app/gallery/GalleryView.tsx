// pattern: Imperative Shell
// The gallery: every example of the source notes, and the confusions users
// report, as ready scenarios with a title and a one-line summary in the
// reader's language. Opening one replaces the scenario (the user's own work
// is kept aside, see share/links.ts) and shows its lesson beside the walk.
// Examples that need IPVS are listed as coming, not faked.

import { useId } from 'react';
import { GALLERY, GALLERY_TODO, type GalleryEntry, type GalleryTag } from '../../gallery';
import { useDeps } from '../shell/context';
import { registerLessonTitles } from '../shell/notices';
import { openScenario } from '../share/links';
import { showScreen } from '../state/walk-store';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';

registerLessonTitles(GALLERY);

// a tag added to the gallery before its words are here shows as written
const TAG_KEYS: Partial<Record<GalleryTag, MessageKey>> = {
  basics: 'tag.basics',
  filter: 'tag.filter',
  nat: 'tag.nat',
  conntrack: 'tag.conntrack',
  routing: 'tag.routing',
  'policy-routing': 'tag.policy-routing',
  mangle: 'tag.mangle',
  docker: 'tag.docker',
  troubleshooting: 'tag.troubleshooting',
};

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';
const primary = 'rounded border border-blue-800 bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

export default function GalleryView() {
  const { stores, client } = useDeps();
  const t = useT();
  const id = useId();
  const open = (e: GalleryEntry) => {
    stores.ui.setState({ lesson: e.id });
    void openScenario(stores, client, e.scenario, { from: 'gallery' }).then(() => window.scrollTo({ top: 0 }));
  };
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3 rounded-lg border border-slate-300 bg-white p-4">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={id} className="text-xl font-semibold text-slate-900">
          {t('gallery.title')}
        </h2>
        <p className="text-base text-slate-700">{t('gallery.intro')}</p>
        <button type="button" className={`${btn} ml-auto`} onClick={() => showScreen(stores, 'walk')}>
          {t('gallery.back')}
        </button>
      </div>
      <ul className="grid gap-3 md:grid-cols-2 2xl:grid-cols-3">
        {GALLERY.map((e) => (
          <li key={e.id} className="flex flex-col gap-2 rounded-lg border border-slate-300 bg-slate-50 p-3" data-gallery={e.id}>
            <h3 className="text-lg font-semibold text-slate-900">{e.title[t.lang]}</h3>
            <p className="text-sm break-words text-slate-800">{e.summary[t.lang]}</p>
            <p className="flex flex-wrap gap-1" aria-label={t('gallery.tags')}>
              {e.tags.map((tag) => (
                <span key={tag} className="rounded bg-slate-200 px-1.5 text-xs font-medium text-slate-800">
                  {TAG_KEYS[tag] ? t(TAG_KEYS[tag]) : tag}
                </span>
              ))}
            </p>
            <div className="mt-auto">
              <button type="button" className={primary} onClick={() => open(e)}>
                {t('gallery.open')}
                <span className="sr-only">: {e.title[t.lang]}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>
      {GALLERY_TODO.length > 0 && <h3 className="text-lg font-semibold text-slate-900">{t('gallery.comingTitle')}</h3>}
      <ul className="grid gap-2 md:grid-cols-2 2xl:grid-cols-3">
        {GALLERY_TODO.map((e) => (
          <li key={e.id} className="flex flex-wrap items-center gap-2 rounded-lg border border-dashed border-slate-400 p-3" data-gallery-todo={e.id}>
            <span className="text-base text-slate-800">{e.title[t.lang]}</span>
            <span className="rounded bg-amber-100 px-1.5 text-xs font-semibold text-amber-950">{t('gallery.coming')}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
