// The linter: typescript-eslint with type information (promises that are never awaited, promises where a
// callback's return is ignored, type-only imports), import cycles, and Prettier's formatting left to Prettier.
// Type information comes from TypeScript 6's API (the `typescript` package is @typescript/typescript6); `tsc`
// itself is TypeScript 7 (@typescript/native), which ships no API for linters yet.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'release/', 'test-results/', 'coverage/', 'node_modules/', 'test/fixtures/', 'docs/'] },
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
    // `./x.js` in the source is `./x.ts` on disk: the TypeScript resolver knows.
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
  },
  // The benchmarks and scripts are plain JavaScript run by Node: the core rules, with Node's globals.
  { files: ['**/*.mjs'], ...js.configs.recommended, languageOptions: { globals: globals.node } },
  prettier,
);
