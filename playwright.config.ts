// pattern: Imperative Shell
import { defineConfig, devices } from '@playwright/test';

const isCI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

// Two people testing in one tree at once can each use their own build and port:
// PACKETWALK_E2E_PORT=4180 PACKETWALK_E2E_DIST=/tmp/dist-mine (build with --outDir there first).
const port = Number(process.env['PACKETWALK_E2E_PORT'] ?? 4173);
// The tests need the e2e build (its window.__packetwalk hook): `vite build --mode e2e --outDir dist-e2e`.
const dist = process.env['PACKETWALK_E2E_DIST'] ?? 'dist-e2e';
const baseURL = `http://127.0.0.1:${port}`;

const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-quic'],
  },
};

/**
 * Browser tests run against the production build (`vite preview`), with
 * Debian's Chromium: Playwright's own browser download is not reachable from
 * this network. scripts/test.mjs installs Chromium and builds first.
 */
export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: './test-results',
  fullyParallel: true,
  forbidOnly: isCI,
  retries: 0,
  workers: 2,
  // A hung browser must not eat CI's time budget.
  globalTimeout: 12 * 60_000,
  timeout: 60_000,
  // how long an assertion waits for the page to get there: a guard against a page that never does, not a
  // speed limit (Playwright's default of 5 s fails on a loaded machine; timings belong in `npm run bench:app`)
  expect: { timeout: 20_000 },
  reporter: 'list',
  use: {
    baseURL,
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium', use: chromium }],
  webServer: {
    command: `npm run preview -- --host 127.0.0.1 --port ${port} --outDir ${dist}`,
    url: baseURL,
    reuseExistingServer: !isCI,
    timeout: 60_000,
  },
});
