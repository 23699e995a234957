// pattern: Imperative Shell
// The page header: the product, the scenario, and the app's own controls —
// the gallery, Share, presenter mode, the language, and the way to the
// editor. In presenter and embed mode it keeps only what those modes need.

import { memo, useEffect, useId } from 'react';
import { useStore } from 'zustand';
import { selectEmbed, selectLesson, selectPresenter, selectScenario, selectScreen, selectShareOpen, setPresenter, showScreen } from '../state/walk-store';
import { LANGS } from '../i18n/i18n';
import { selectLang, langStore, setLang, useT, type Lang } from '../i18n/lang';
import { useDeps } from './context';
import { BUILT_IN_DESCRIPTION, BUILT_IN_NAME, galleryDescription, lessonTitle } from './notices';
import { rememberFirstScreen, type FirstScreen } from './first-paint';
import { KubeProxyButton } from '../ipvs/mount';

const headerBtn =
  'rounded border border-slate-400 px-3 py-1 text-base text-white hover:bg-slate-800 focus:outline-2 focus:outline-offset-2 focus:outline-white aria-pressed:border-white aria-pressed:bg-white aria-pressed:text-slate-900 aria-expanded:border-white aria-expanded:bg-white aria-expanded:text-slate-900';

export function LanguageSelect() {
  const t = useT();
  const lang = useStore(langStore, selectLang);
  const id = useId();
  return (
    <span className="flex items-center gap-2 text-base">
      <label htmlFor={id}>{t('lang.label')}</label>
      <select id={id} name="lang" className="rounded border border-slate-400 bg-slate-900 px-2 py-1 text-base text-white focus:outline-2 focus:outline-white" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l === 'zh' ? 'zh-CN' : 'en'}>
            {t(l === 'zh' ? 'lang.zh' : 'lang.en')}
          </option>
        ))}
      </select>
    </span>
  );
}

export const Header = memo(function Header() {
  const { stores } = useDeps();
  const t = useT();
  const scenario = useStore(stores.scenario, selectScenario);
  const screen = useStore(stores.ui, selectScreen);
  const presenter = useStore(stores.ui, selectPresenter);
  const embed = useStore(stores.ui, selectEmbed);
  const shareOpen = useStore(stores.ui, selectShareOpen);
  const lesson = useStore(stores.ui, selectLesson);
  const name = typeof scenario.name === 'string' ? scenario.name : t('header.unnamed');
  const own = typeof scenario.description === 'string' ? scenario.description : '';
  // the built-in scenario's description is the app's own text; a user's or a link's is theirs and stays as written
  const description = own === BUILT_IN_DESCRIPTION ? t('builtin.description') : (galleryDescription(scenario.name, own, t.lang) ?? own);
  const title = lesson ? lessonTitle(lesson, t.lang) : null;
  // index.html paints this header as a first visit sees it before the app loads: tell the next visit whether it still fits
  const firstScreen: FirstScreen = t.lang === 'en' && name === BUILT_IN_NAME && own === BUILT_IN_DESCRIPTION && !title && !embed && !presenter ? 'built-in' : 'own';
  useEffect(() => rememberFirstScreen(window, firstScreen), [firstScreen]);
  const openFull = () => {
    const url = new URL(window.location.href);
    url.hash = url.hash.replace(/[&#]embed=1/, (m) => (m.startsWith('#') ? '#' : ''));
    return url.toString();
  };
  return (
    <header className="bg-slate-900 text-white">
      <div className="mx-auto flex max-w-[110rem] flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <h1 className="text-2xl font-semibold tracking-tight">PacketWalk</h1>
        <p className="text-base text-slate-100">
          {t('header.scenario')} <strong className="font-mono">{name}</strong>
          {title && <span className="ml-2 font-semibold text-amber-200">{title}</span>}
        </p>
        {embed ? (
          <a href={openFull()} target="_blank" rel="noopener" className="ml-auto rounded px-2 py-1 text-base text-white underline underline-offset-2 hover:bg-slate-800 focus:outline-2 focus:outline-white">
            {t('header.openFull')}
          </a>
        ) : presenter ? (
          <div className="ml-auto flex flex-wrap items-center gap-2">
            <LanguageSelect />
            <button type="button" className={headerBtn} aria-keyshortcuts="Escape P" onClick={() => setPresenter(stores, false)}>
              {t('presenter.leave')}
            </button>
          </div>
        ) : (
          <nav aria-label={t('header.nav')} className="ml-auto flex flex-wrap items-center gap-2">
            <button type="button" className={headerBtn} aria-pressed={screen === 'gallery'} onClick={() => showScreen(stores, screen === 'gallery' ? 'walk' : 'gallery')}>
              {t('header.gallery')}
            </button>
            <button type="button" className={headerBtn} aria-pressed={screen === 'course'} onClick={() => showScreen(stores, screen === 'course' ? 'walk' : 'course')}>
              {t('header.course')}
            </button>
            <KubeProxyButton className={headerBtn} />
            <button
              type="button"
              className={headerBtn}
              aria-expanded={shareOpen}
              onClick={() => stores.ui.setState({ share: !shareOpen, screen: 'walk' })}
            >
              {t('header.share')}
            </button>
            <button type="button" className={headerBtn} aria-keyshortcuts="P" onClick={() => setPresenter(stores, true)}>
              {t('header.presenter')}
            </button>
            <LanguageSelect />
            <a
              href="#editor"
              className="rounded px-2 py-1 text-base text-white underline underline-offset-2 hover:bg-slate-800 focus:outline-2 focus:outline-white"
              onClick={(e) => {
                // the hash carries the share state: scroll without touching it (the editor may still be loading)
                e.preventDefault();
                showScreen(stores, 'walk');
                const go = (tries: number) => {
                  const el = document.getElementById('editor');
                  if (el) el.scrollIntoView({ block: 'start' });
                  else if (tries > 0) window.setTimeout(() => go(tries - 1), 100);
                };
                go(30);
              }}
            >
              {t('header.edit')}
            </a>
          </nav>
        )}
        {description && !presenter && <p className="w-full max-w-[90ch] text-sm leading-snug text-slate-200">{description}</p>}
      </div>
    </header>
  );
});
