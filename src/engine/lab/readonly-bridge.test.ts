// `bridge link` and `bridge fdb show` as iproute2 6.1 printed them for
// __fixtures__/readonly/bridge.json (`python3 record.py bridge`): the
// queries before the traffic line of bridge.queries.txt are asked before
// any walk, the ones after it at the last step of the walk that sends the
// same datagram (what the bridge learned from a's frames and b's answer).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from './lab';

const dir = join(__dirname, '__fixtures__', 'readonly');

const sections = readFileSync(join(dir, 'bridge.golden.txt'), 'utf8')
  .split(/^### /m)
  .filter(Boolean)
  .map((s) => {
    const nl = s.indexOf('\n');
    const [host, command] = s.slice(0, nl).split(/: (.*)/s) as [string, string];
    return { host, command, text: s.slice(nl + 1) };
  });

/** How many recorded queries ran before the traffic (the `host: !command` lines). */
const before = readFileSync(join(dir, 'bridge.queries.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .findIndex((l) => l.includes(': !'));

describe('bridge link and bridge fdb show print what iproute2 prints, as of the step', () => {
  const opened = Lab.open(JSON.parse(readFileSync(join(dir, 'bridge.json'), 'utf8')));
  if (!opened.ok) throw new Error(opened.errors.join('\n'));
  const lab = opened.lab;
  const walk = lab.walk();
  const last = walk.log.steps.length - 1;
  sections.forEach((s, k) => {
    const afterTraffic = k >= before;
    it(`${afterTraffic ? 'after' : 'before'} the datagram, ${s.host}: ${s.command}`, () => {
      const r = afterTraffic ? lab.query(s.host, s.command, walk, last) : lab.query(s.host, s.command, null, -1);
      expect(r).not.toBeNull();
      expect(r!.stdout + r!.stderr).toBe(s.text);
    });
  });

  it('the bridge has learned nothing at the walk’s first step: the datagram still waits for ARP', () => {
    const r = lab.query('sw', 'bridge fdb show dev eth0', walk, 0)!;
    expect(r.stdout).not.toContain('02:00:00:00:01:01');
    expect(lab.query('sw', 'bridge fdb show dev eth0', walk, last)!.stdout).toContain('02:00:00:00:01:01 master br0 \n');
  });

  it('names what it cannot find, as bridge does', () => {
    expect(lab.query('sw', 'bridge fdb show dev eth9', null, -1)).toEqual({ stdout: '', stderr: 'Cannot find device "eth9"\n', exit: 1 });
    expect(lab.query('sw', 'bridge link show dev eth9', null, -1)!.exit).toBe(1);
  });
});
