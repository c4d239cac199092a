import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'figures/**', 'runs/**', 'coverage/**', 'build/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // No import cycles, between files or (through the layer zones below) between the folders of src/deep.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import each other as './x.js' (NodeNext); the files are './x.ts'.
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Plain Node scripts (the native addon's build step, run by npm before TypeScript is compiled).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Pure math never reaches for tfjs, the filesystem or the CLI (DEVELOPERS: layout shows the architecture).
    files: ['src/geometry/**', 'src/ufm/**', 'src/util/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@tensorflow/*', 'node:fs', 'fs', 'node:fs/*', 'fs/*', 'commander', '**/cli/**', '**/deep/**', '**/io/**', '**/plot/**'],
            message: 'src/geometry, src/ufm and src/util are pure math: no tfjs, filesystem or CLI imports.' },
        ],
      }],
    },
  },
  {
    // The comparison's core is pure too; it only borrows the table figure's input *types* from src/plot.
    files: ['src/compare/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@tensorflow/*', 'node:fs', 'fs', 'node:fs/*', 'fs/*', 'commander', '**/cli/**', '**/deep/**', '**/io/**', '**/figures/**'],
            message: 'src/compare is pure: no tfjs, filesystem or CLI imports (the loader lives in src/figures).' },
        ],
      }],
    },
  },
);
