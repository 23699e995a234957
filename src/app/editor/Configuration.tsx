// pattern: Imperative Shell
// The Configuration region: one form section at a time, for the host chosen
// here (the same host the console, import and export use).

import { memo, useState } from 'react';
import { Panel } from '../panels/Panel';
import { IptablesSection } from './IptablesSection';
import { IpvsSection } from './IpvsSection';
import { HostsSection, InterfacesSection, IpRulesSection, ListenersSection, RoutesSection, SysctlSection } from './Sections';
import { HostSelect, useEditorHost } from './ui';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';

const SECTIONS = ['iptables', 'Interfaces', 'Routes', 'IP rules', 'Sysctls', 'IPVS', 'Listeners', 'Hosts & links'] as const;
type Section = (typeof SECTIONS)[number];

const SECTION_KEYS: Record<Section, MessageKey> = {
  iptables: 'config.iptables',
  Interfaces: 'config.interfaces',
  Routes: 'config.routes',
  'IP rules': 'config.ipRules',
  Sysctls: 'config.sysctls',
  IPVS: 'ipvs.title',
  Listeners: 'config.listeners',
  'Hosts & links': 'config.hosts',
};

const tab =
  'rounded border px-3 py-1 text-sm font-medium focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 aria-pressed:border-blue-800 aria-pressed:bg-blue-700 aria-pressed:text-white border-slate-400 bg-white text-slate-900 hover:bg-slate-100 aria-pressed:hover:bg-blue-800';

export const Configuration = memo(function Configuration() {
  const [section, setSection] = useState<Section>('iptables');
  const [host] = useEditorHost();
  const t = useT();
  return (
    <Panel title={t('config.title')} className="min-h-[26rem]">
      <div className="flex flex-col gap-3">
        <div className="flex flex-wrap items-end gap-3">
          <HostSelect label={t('config.host')} />
          <div role="group" aria-label={t('config.section')} className="flex flex-wrap gap-1">
            {SECTIONS.map((s) => (
              <button key={s} type="button" className={tab} aria-pressed={section === s} onClick={() => setSection(s)}>
                {t(SECTION_KEYS[s])}
              </button>
            ))}
          </div>
        </div>
        {host === '' ? (
          <p className="text-sm text-slate-700">{t('config.noHosts')}</p>
        ) : section === 'iptables' ? (
          <IptablesSection host={host} />
        ) : section === 'Interfaces' ? (
          <InterfacesSection host={host} />
        ) : section === 'Routes' ? (
          <RoutesSection host={host} />
        ) : section === 'IP rules' ? (
          <IpRulesSection host={host} />
        ) : section === 'Sysctls' ? (
          <SysctlSection host={host} />
        ) : section === 'IPVS' ? (
          <IpvsSection host={host} />
        ) : section === 'Listeners' ? (
          <ListenersSection host={host} />
        ) : (
          <HostsSection />
        )}
      </div>
    </Panel>
  );
});
