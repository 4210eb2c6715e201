// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'docs-site/**',
      'node_modules/**',
      'coverage/**',
      // Caches: generated doc snippets, runtime binaries of the matrix (npm run test:runtimes).
      '.cache/**',
      'test/fixtures/**/*.cjs',
      'test/fixtures/**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions, // keep: turns the project service off for JS
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        SharedArrayBuffer: 'readonly',
        Atomics: 'readonly',
        Int32Array: 'readonly',
      },
    },
  },
  {
    // The runtime matrix: scripts run by Node, smoke tests run by Node, Bun, Deno and browsers.
    files: ['scripts/**/*.mjs', 'test/runtimes/**/*.mjs'],
    languageOptions: {
      globals: { performance: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' },
    },
  },
  {
    // Code that runs in a browser page or Web Worker (page.waitForFunction callbacks included).
    files: ['scripts/browser-smoke.mjs', 'test/runtimes/browser/**/*.mjs'],
    languageOptions: {
      globals: { window: 'readonly', self: 'readonly', Worker: 'readonly', document: 'readonly' },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
