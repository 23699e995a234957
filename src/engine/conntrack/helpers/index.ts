// pattern: Functional Core
// The helpers the simulation models. The kernel has more (the CT target
// accepts them, iptables/targets/simple.ts KERNEL_HELPERS); a connection
// given one of those shows it in `conntrack -L` but nothing reads its packets.

import type { ConntrackHelper } from './helper';
import { ftpHelper } from './ftp';
import { tftpHelper } from './tftp';

export type { ConntrackHelper, HelperEnv, HelperVerdict } from './helper';

const MODELLED: ReadonlyMap<string, ConntrackHelper> = new Map([
  [ftpHelper.name, ftpHelper],
  [tftpHelper.name, tftpHelper],
]);

/** The modelled helper of that name, null when the simulation has none. */
export function conntrackHelper(name: string): ConntrackHelper | null {
  return MODELLED.get(name) ?? null;
}
