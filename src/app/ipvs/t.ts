// pattern: Imperative Shell
// The one way the IPVS views reach their strings: the app's translator
// (useT, following the language store), narrowed to the IPVS keys so a
// missing one is a type error here rather than ⟦key⟧ on screen.

import type { MessageKey } from '../i18n/i18n';
import { useT } from '../i18n/lang';
import type { enIpvs } from '../i18n/ipvs.en';

export type IpvsKey = keyof typeof enIpvs & MessageKey;
export type IpvsT = (key: IpvsKey, params?: Record<string, string | number>) => string;

/** A stable translator for the IPVS views, in the language the app speaks. */
export function useIpvsT(): IpvsT {
  return useT();
}
