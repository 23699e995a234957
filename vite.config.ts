/// <reference types="vitest/config" />
// pattern: Imperative Shell
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const cliDir = fileURLToPath(new URL('./src/cli/', import.meta.url));
const srcDir = fileURLToPath(new URL('./src/', import.meta.url));

/**
 * The page and its worker must stay runnable in a browser: src/cli is reached
 * only from bin/ through tsx, and a `node:` import under src/ would be
 * silently replaced by an empty browser stub. Fail the build instead, naming
 * the importer, so the mistake surfaces where it was made.
 */
function browserOnlyGraph(): Plugin {
  return {
    name: 'packetwalk:browser-only-graph',
    enforce: 'pre',
    // Tests run in Node and may read fixtures with node:fs or drive src/cli.
    apply: () => process.env['VITEST'] === undefined,
    resolveId(source, importer) {
      if (importer === undefined || !importer.startsWith(srcDir)) return null;
      if (source.startsWith('node:')) {
        this.error(`${importer} imports ${source}: src/ is bundled for the browser (Node-only code belongs in src/cli)`);
      }
      return null;
    },
    load(id) {
      if (id.startsWith(cliDir)) {
        this.error(`${id} is Node-only (src/cli) and must not be part of the app bundle`);
      }
      return null;
    },
  };
}

/**
 * The Content-Security-Policy of the built site. Nothing runs but the app's
 * own files: no inline script, no eval, no plugin, no <base> rewriting; the
 * worker is a same-origin module file (no blob: needed); the page talks to
 * its own origin only. Images may be data:/blob: (the favicon stub, the
 * flow-graph PNG/SVG export, the share QR code). Styles: the app's CSS is a
 * file, and React, React Flow and motion set styles through the CSSOM
 * (element.style), which style-src does not govern, so 'unsafe-inline' is
 * not needed (e2e/csp.spec.ts records every violation while the app is used).
 */
export const CSP: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'worker-src': "'self'",
  'connect-src': "'self'",
  'img-src': "'self' data: blob:",
  'style-src': "'self'",
  'font-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'self'",
  /**
   * Header only (a <meta> policy cannot carry it): `&embed=1` exists so
   * course pages can frame a walk, so any https page may embed the app (and
   * the app itself); plain-http pages may not. Nothing in the app acts on a
   * user's behalf elsewhere, so framing cannot be turned against them.
   */
  'frame-ancestors': "'self' https:",
};

const policy = (without: string[] = []) =>
  Object.entries(CSP)
    .filter(([k]) => !without.includes(k))
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');

/**
 * The policy goes into the built index.html as a <meta> (so any static host
 * applies it) and into `_headers` (the header form Netlify and Cloudflare
 * Pages read, and the text to copy into any other server's configuration),
 * which also carries frame-ancestors. `vite preview` sends the header too.
 * The dev server keeps no policy: its hot reload needs inline script.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'packetwalk:csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy(['frame-ancestors']) }, injectTo: 'head-prepend' }],
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: `/*\n  Content-Security-Policy: ${policy()}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n` });
    },
  };
}

/**
 * The entry script decides, before the first paint, whether the static
 * header in index.html speaks this visit's words (src/app/shell/first-paint.ts),
 * so it must run before that paint: `blocking="render"` (Chromium; other
 * browsers paint the header first and correct it a moment later). Vite
 * rewrites the tag and drops the attribute, so it is put back on the built
 * page's one module script from /assets/.
 */
function renderBlockingEntry(): Plugin {
  return {
    name: 'packetwalk:render-blocking-entry',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const entry = /<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/g;
        const found = html.match(entry) ?? [];
        if (found.length !== 1) throw new Error(`index.html: expected one entry <script type="module"> from /assets/, found ${found.length}`);
        return html.replace(entry, (tag) => tag.replace('<script ', '<script blocking="render" '));
      },
    },
  };
}

/**
 * `window.__packetwalk` (src/app/shell/test-hook.ts) is for the browser tests
 * and benchmarks, which build with `--mode e2e`; any other build fails if
 * the hook's name is anywhere in its JavaScript.
 */
function noTestHookOutsideE2e(mode: string): Plugin {
  return {
    name: 'packetwalk:no-test-hook',
    apply: 'build',
    generateBundle(_options, bundle) {
      if (mode === 'e2e') return;
      for (const [file, out] of Object.entries(bundle)) {
        const text = out.type === 'chunk' ? out.code : typeof out.source === 'string' ? out.source : '';
        if (text.includes('__packetwalk')) this.error(`${file} contains the test hook (__packetwalk): it belongs only in the e2e build (vite build --mode e2e)`);
      }
    },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [browserOnlyGraph(), react(), tailwindcss(), contentSecurityPolicy(), renderBlockingEntry(), noTestHookOutsideE2e(mode)],
  build: {
    target: 'es2022',
    sourcemap: true,
    // scripts/bundle-size.mjs reads the manifest to sum the JS the first screen loads.
    manifest: true,
    rolldownOptions: {
      output: {
        // Libraries in their own long-cached chunks; React Flow and motion are
        // only reached through the lazily loaded graph, so they stay off the
        // first screen's critical path.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 30 },
            { name: 'xyflow', test: /node_modules[\\/](@xyflow|d3-[a-z]+|classcat)[\\/]/, priority: 20 },
            { name: 'motion', test: /node_modules[\\/](motion|framer-motion|motion-dom|motion-utils)[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    strictPort: true,
    headers: { 'Content-Security-Policy': policy() },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // a guard against a test that hangs, not a speed limit: vitest's default 5 s failed tests that
    // take ~1 s on a quiet machine when other work loads it (timings belong in `npm run bench`)
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['src/test-support/setup.ts'],
  },
}));
