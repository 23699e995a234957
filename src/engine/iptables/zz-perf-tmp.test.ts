import { it, expect } from 'vitest';
import { parseRestore, applyRestore } from '/work/main/src/engine/iptables/restore';
import { createRuleset } from '/work/main/src/engine/iptables/ruleset';
it('perf', () => {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < 50000; i++) lines.push(`-A INPUT -s 10.${(i >> 8) & 255}.${i & 255}.0/24 -d 10.1.${i & 255}.1/32 -i eth0 -p tcp -m tcp --dport ${1 + (i % 60000)} -j ACCEPT`);
  lines.push('COMMIT', '');
  const text = lines.join('\n');
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    const p = parseRestore(text, { noflush: false, counters: false });
    const t1 = performance.now();
    const rs = createRuleset();
    const d = applyRestore(rs, p.value!);
    const t2 = performance.now();
    console.log('parse', (t1 - t0).toFixed(0), 'apply', (t2 - t1).toFixed(0));
    expect(d).toEqual([]);
  }
});
