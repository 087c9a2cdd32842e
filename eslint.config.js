import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // The core runs in plain Node (browser host, CLI, tests): only main/app/ and the preload touch Electron.
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: "Only main/app/ and preload/index.ts may import 'electron'." }] }],
    },
  },
  {
    files: ['main/app/**/*.ts', 'preload/index.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // The renderer is untrusted and has no Node: it reaches the core through window.siteflash only.
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', '**/main/**'], message: 'The renderer cannot import Node or core modules.' }] }],
    },
  },
);
