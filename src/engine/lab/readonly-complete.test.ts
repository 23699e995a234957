// pattern: Imperative Shell
// The console's hint and `help` name every tool it accepts, in both
// languages, and Tab offers ip netns's verbs.

import { describe, expect, it } from 'vitest';
import { COMMANDS, completeCommand } from './readonly-complete';
import { enConsole } from '../../app/i18n/console.en';
import { zhConsole } from '../../app/i18n/console.zh';

describe('the console names every tool it accepts', () => {
  const tools = COMMANDS.map((c) => c.name).filter((n) => n !== 'help');

  it.each([['en', enConsole['console.tools']], ['zh', zhConsole['console.tools']]])('in the %s hint', (_, hint) => {
    expect(tools.length).toBeGreaterThan(0);
    for (const t of tools) expect(hint, t).toContain(t);
    expect(hint).toContain('ip netns');
    expect(hint).toContain('bridge');
  });

  it('help lists ip netns and bridge with their usage', () => {
    const netns = COMMANDS.find((c) => c.name === 'ip netns');
    expect(netns?.usage).toContain('ip netns exec NS CMD');
    expect(COMMANDS.find((c) => c.name === 'bridge')?.usage).toContain('bridge link|fdb|vlan');
  });
});

describe('Tab', () => {
  it('offers netns after ip, its verbs after ip netns, bridge among the tools', () => {
    expect(completeCommand('ip net', undefined)).toEqual(['ip netns']);
    expect(completeCommand('ip netns ', undefined)).toEqual(['ip netns list', 'ip netns add', 'ip netns del', 'ip netns exec']);
    expect(completeCommand('ip netns e', undefined)).toEqual(['ip netns exec']);
    expect(completeCommand('bri', undefined)).toEqual(['bridge']);
    expect(completeCommand('bridge v', undefined)).toContain('bridge vlan');
  });
});
