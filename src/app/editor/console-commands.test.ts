// Show commands are answered from the exports, in the abbreviations iproute2 accepts; anything else is an edit.

import { describe, expect, it } from 'vitest';
import { readOnlyCommand } from './console-commands';

describe('read-only console commands', () => {
  it('recognises iptables-save and ip route/rule show with their abbreviations', () => {
    expect(readOnlyCommand('iptables-save')).toBe('iptables-save');
    expect(readOnlyCommand(' ip route ')).toBe('ip-route');
    expect(readOnlyCommand('ip r')).toBe('ip-route');
    expect(readOnlyCommand('ip -4 ro show')).toBe('ip-route');
    expect(readOnlyCommand('ip route show table all')).toBe('ip-route-all');
    expect(readOnlyCommand('ip r list  table all')).toBe('ip-route-all');
    expect(readOnlyCommand('ip rule')).toBe('ip-rule');
    expect(readOnlyCommand('ip ru show')).toBe('ip-rule');
  });

  it('leaves commands that change something to the engine', () => {
    for (const c of ['ip route add default via 10.0.0.1', 'ip rule add from 10.0.0.0/8 lookup 100', 'iptables -A INPUT -j ACCEPT', 'ip route show table main', 'iptables-save -t nat']) expect(readOnlyCommand(c), c).toBeNull();
  });
});
