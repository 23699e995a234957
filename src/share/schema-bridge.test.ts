// pattern: Imperative Shell
// A shared scenario may set a bridge's VLAN list (the gallery's VLAN trunk)
// and turn br_netfilter off, and nothing else of the bridge tool.

import { describe, expect, it } from 'vitest';
import { validatePayloadV1 } from './schema';

const withSetup = (cmd: string) => validatePayloadV1({ c: { name: 'x', hosts: [{ name: 'a', setup: [cmd] }], steps: [] } });

describe('share links: bridge setup commands', () => {
  it.each(['bridge vlan add dev eth0 vid 10 pvid untagged', 'bridge vlan del dev eth2 vid 1', 'bridge vlan add dev eth2 vid 10-20', 'sysctl -w net.bridge.bridge-nf-call-iptables=0'])('takes %s', (cmd) => {
    expect(withSetup(cmd)).toMatchObject({ ok: true });
  });

  it.each(['bridge fdb add 02:00:00:00:00:01 dev eth0', 'bridge vlan add dev eth0 vid 10; rm -rf /', 'sysctl -w net.bridge.bridge-nf-filter-vlan-tagged=1'])('refuses %s', (cmd) => {
    expect(withSetup(cmd)).toMatchObject({ ok: false });
  });
});
