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

export default defineConfig({
  plugins: [browserOnlyGraph(), react(), tailwindcss()],
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
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/test-support/setup.ts'],
  },
});
