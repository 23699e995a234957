// The 30 IPVS golden cases (/work/shared/ipvs/cases, copied to
// __fixtures__/ipvs): each must reproduce its expect and expect_final
// fields exactly, including the bytes of `ipvsadm -Ln` and `-Sn`.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIpvsCase } from './case-runner';

const dir = join(__dirname, '..', '__fixtures__', 'ipvs');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('IPVS golden cases', () => {
  it('has the cases to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(24);
  });

  for (const f of files) {
    const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { title: string; expect: unknown; expect_final: unknown };
    it(`${f}: ${c.title}`, () => {
      const r = runIpvsCase(c);
      if (!r.ok) throw new Error(r.errors.join('\n'));
      expect(r.result.expect).toEqual(c.expect);
      expect(r.result.expect_final).toEqual(c.expect_final);
    });
  }

  it('does not read the expect fields it is asked to produce', () => {
    const c = JSON.parse(readFileSync(join(dir, 'rr-basic-3.json'), 'utf8')) as Record<string, unknown>;
    const withOut = runIpvsCase({ ...c, expect: undefined, expect_final: undefined });
    const withIn = runIpvsCase(c);
    expect(withOut.ok && withIn.ok && JSON.stringify(withOut.result) === JSON.stringify(withIn.result)).toBe(true);
  });

  it('refuses a malformed case with messages that name the field', () => {
    const r = runIpvsCase({ service: { proto: 'tcp', vip: '10.0.0.300', vport: 80, scheduler: 'rr' }, servers: [], events: [{ type: 'jump' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toContain('service.vip must be an IPv4 address');
      expect(r.errors.some((e) => e.startsWith('events[0].type'))).toBe(true);
    }
  });

  it('reports an unknown scheduler with the kernel message', () => {
    const r = runIpvsCase({ service: { proto: 'tcp', vip: '10.0.0.1', vport: 80, scheduler: 'bogus' }, servers: [], events: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain('Scheduler or persistence engine not found');
  });
});
