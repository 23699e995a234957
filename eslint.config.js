// pattern: Imperative Shell
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node globals our .mjs scripts use, listed here rather than pulling in
// the `globals` package for five names.
const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  URL: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
};

/**
 * The engine also runs in a Web Worker and in the CLI, so it may not reach
 * for React, the DOM or Node. Tests beside it may read fixtures with node:fs.
 */
const engineOnlyPure = {
  files: ['src/engine/**/*.ts'],
  ignores: ['src/engine/**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['node:*'], message: 'src/engine must stay pure TypeScript: no Node-only APIs (it also runs in a Web Worker).' },
          { group: ['react', 'react-dom', 'react-dom/*', 'react/*', 'zustand', 'zustand/*', '@xyflow/*', 'motion', 'motion/*'], message: 'src/engine cannot see the UI.' },
          { group: ['**/app/*', '**/cli/*'], message: 'src/engine does not depend on its shells.' },
        ],
      },
    ],
    'no-restricted-globals': [
      'error',
      ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
        name,
        message: 'src/engine must not use Node-only globals.',
      })),
      ...['window', 'document', 'localStorage', 'navigator'].map((name) => ({
        name,
        message: 'src/engine must not touch the DOM (it runs in a Web Worker and in Node).',
      })),
    ],
  },
};

/**
 * The course's challenges and checker run where the engine runs (the
 * worker, the CLI, tests), so they are held to the engine's purity too.
 */
const courseIsPure = {
  files: ['src/course/**/*.ts'],
  ignores: ['src/course/**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['node:*'], message: 'src/course runs in the worker: no Node-only APIs.' },
          { group: ['react', 'react-dom', 'react-dom/*', 'react/*', 'zustand', 'zustand/*', '@xyflow/*', 'motion', 'motion/*'], message: 'src/course is data and a checker: the page renders it.' },
          { group: ['**/app/*', '**/cli/*'], message: 'src/course does not depend on its shells.' },
        ],
      },
    ],
    'no-restricted-globals': ['error', ...['process', 'Buffer', 'require', 'window', 'document', 'localStorage', 'navigator'].map((name) => ({ name, message: 'src/course runs in the worker and in Node alike.' }))],
  },
};

/**
 * The page renders what the engine computed and never runs engine code on
 * the main thread: it talks to the worker (src/worker/client.ts) and may
 * import only types from src/engine; the names both sides use as values
 * live in src/vocabulary. Tests beside the page build walks with the engine
 * itself, as fixtures.
 */
const appImportsEngineTypesOnly = {
  files: ['src/app/**/*.{ts,tsx}'],
  ignores: ['src/app/**/*.test.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(\\.\\./)+engine(/|$)',
            allowTypeImports: true,
            message: 'src/app may only `import type` from src/engine: ask the worker for a view (src/worker/client.ts), or take shared names from src/vocabulary.',
          },
          {
            regex: '^(\\.\\./)+course/(?!progress$)',
            allowTypeImports: true,
            message: 'src/app may only `import type` from src/course (the worker runs the catalog and the checker: src/worker/client.ts course, challenge, checkChallenge, reveal); progress.ts, plain records, is the exception.',
          },
        ],
      },
    ],
  },
};

/**
 * Modules outside src/app that the page bundle loads — the share link codec
 * and the scenario check (src/share), the gallery, the built-in and
 * kube-proxy scenarios — are held to the page's rule: types only from
 * src/engine, so no engine code reaches the page through them.
 */
const pageModulesImportEngineTypesOnly = {
  files: ['src/share/**/*.ts', 'src/gallery/**/*.ts', 'src/scenarios/built-in.ts', 'src/scenarios/kube-proxy.ts'],
  ignores: ['**/*.test.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(\\.\\./)+engine(/|$)',
            allowTypeImports: true,
            message: 'the page loads this module, so it may only `import type` from src/engine: engine code runs in the worker.',
          },
        ],
      },
    ],
  },
};

/**
 * The shared vocabulary (hook and table names, IPVS flags, sysctl defaults)
 * sits below the engine and the page alike, so it imports nothing.
 */
const vocabularyStandsAlone = {
  files: ['src/vocabulary/**/*.ts'],
  ignores: ['src/vocabulary/**/*.test.ts'],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./[^/]+$)', message: 'src/vocabulary holds plain constants and imports nothing outside itself.' }] }],
  },
};

export default defineConfig([
  { ignores: ['dist/', 'dist-e2e/', 'node_modules/', 'reports/', 'test-results/', 'playwright-report/', 'coverage/'] },
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: nodeGlobals },
  },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [tseslint.configs.strict],
    rules: {
      // With noUncheckedIndexedAccess every `a[i]` inside a bounds-checked
      // loop is `T | undefined`; `a[i]!` is the codebase's idiom there, and a
      // redundant runtime check would cost in the per-packet hot paths.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  engineOnlyPure,
  courseIsPure,
  appImportsEngineTypesOnly,
  pageModulesImportEngineTypesOnly,
  vocabularyStandsAlone,
]);
