// pattern: Imperative Shell
// The browser tests drive the page through window.__packetwalk, which only
// the e2e build has (vite build --mode e2e). A plain build would make every
// test time out waiting for it: say so at once instead.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export default function globalSetup(): void {
  const dist = process.env['PACKETWALK_E2E_DIST'] ?? 'dist-e2e';
  const assets = join(dist, 'assets');
  if (!existsSync(assets)) throw new Error(`${assets} is missing: build first with \`npx vite build --mode e2e --outDir ${dist}\``);
  const hooked = readdirSync(assets).some((f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes('__packetwalk'));
  if (!hooked) throw new Error(`${dist} is not an e2e build (no test hook): build it with \`npx vite build --mode e2e --outDir ${dist}\``);
}
