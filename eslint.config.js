import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * The layers of src/deep, lowest first (src/deep/README.md says why): a layer imports only from the layers below it.
 * data, evaluate, checkpoint and palLoss.ts are leaves beside them that import no other part of src/deep.
 */
const DEEP_LAYERS = ['backend', 'models', 'train', 'parallel'].map((l) => `./src/deep/${l}`);
const DEEP_LEAVES = ['data', 'evaluate', 'checkpoint', 'palLoss.ts'].map((l) => `./src/deep/${l}`);
const deepLayerZones = [
  ...DEEP_LAYERS.slice(0, -1).map((target, i) => ({
    target,
    from: DEEP_LAYERS.slice(i + 1),
    message: `src/deep layers: ${target.slice(11)} may import only from the layers below it (backend → models → train → parallel).`,
  })),
  ...DEEP_LEAVES.map((target) => ({
    target,
    from: [...DEEP_LAYERS, ...DEEP_LEAVES.filter((l) => l !== target)],
    message: `src/deep: ${target.slice(11)} is a leaf; it imports no other part of src/deep.`,
  })),
];

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
      'import-x/no-restricted-paths': ['error', { zones: deepLayerZones }],
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
