// ESLint: rules that catch bugs, not a restyle (formatting is left as it is,
// unused names are tsc's noUnusedLocals/noUnusedParameters), plus TinySeg's
// layer order (lint/layers.js). Run with `npm run lint`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './lint/layers.js';

const TS = ['**/*.ts', '**/*.mts', '**/*.cts'];
const JS = ['**/*.js', '**/*.mjs', '**/*.cjs'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'out/**', 'coverage/**', 'examples/*/**', '**/*.d.ts'],
  },
  {
    files: [...TS, ...JS],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    plugins: { tinyseg: layers },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-fallthrough': 'error',
      'no-self-compare': 'error',
      'no-regex-spaces': 'off', // style
      'no-control-regex': 'off', // the escapers match control characters on purpose
      'no-unreachable-loop': 'error',
      'no-constant-binary-expression': 'error',
      'no-return-assign': 'error',
      'no-new-wrappers': 'error',
      'no-throw-literal': 'error',
      'array-callback-return': 'error',
      'default-case-last': 'error',
      radix: 'error',
      'no-unused-vars': 'off', // tsc: noUnusedLocals, noUnusedParameters
      'max-len': [
        'error',
        {
          code: 160,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreComments: false,
        },
      ],
    },
  },
  {
    files: TS,
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      ...tseslint.configs.eslintRecommended.rules, // turns off core rules tsc already covers (no-undef, ...)
      'no-unused-vars': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      // Async event listeners (worker 'message', watcher events) are fine: they catch their own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      // A caught value is rethrown as it was (unknown); literals and plain objects are still errors.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/restrict-plus-operands': 'error',
      '@typescript-eslint/no-duplicate-enum-values': 'error',
      '@typescript-eslint/no-misused-new': 'error',
      '@typescript-eslint/no-unsafe-declaration-merging': 'error',
      '@typescript-eslint/no-array-delete': 'error',
      '@typescript-eslint/no-unnecessary-type-constraint': 'error',
      '@typescript-eslint/prefer-as-const': 'error',
      '@typescript-eslint/no-wrapper-object-types': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, allowDefaultCaseForExhaustiveSwitch: true },
      ],
      'no-throw-literal': 'off', // only-throw-error is the type-aware form
    },
  },
  {
    // The layer order of src/ (lint/layers.js): a stage imports only earlier stages.
    files: ['src/**'],
    rules: {
      'tinyseg/layer-order': 'error',
      'tinyseg/no-node-builtins': [
        'error',
        {
          allowedStages: ['integrations'],
          // The stages before integrations that already use Node, and why:
          exceptions: {
            // Checks a model's outputs against the reference on worker threads
            // (in parallel, and synchronously via receiveMessageOnPort).
            'interpreter/reference-outputs.ts': ['node:fs', 'node:os', 'node:url', 'node:worker_threads'],
            // The worker side of the above.
            'interpreter/proof-worker.ts': ['node:worker_threads'],
            // Reads the C templates shipped in templates/.
            'emit/template.ts': ['node:fs'],
            // Names the emitted files (basename/join of the output prefix).
            'emit/emit-embedded.ts': ['node:path'],
            // Content hashes in the emitted C text and in the memory report.
            'emit/c-text.ts': ['node:crypto'],
            'report/memory-report.ts': ['node:crypto'],
          },
        },
      ],
    },
  },
);
