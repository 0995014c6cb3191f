// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Drivers are imported only by adapters (and the local stack, which probes servers directly). */
const drivers = [
  'kafkajs',
  '@kafkajs/*',
  'pg',
  'pg-*',
  '@elastic/*',
  'ioredis',
  'fastify',
  '@fastify/*',
  'node-pg-migrate',
];
const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  // The layout of STYLE.md: pure domain; processors never touch drivers or the runtime's I/O.
  {
    files: ['src/domain/**/*.ts'],
    rules: restrict(
      [...drivers, '../*', '!./*'],
      'src/domain is pure: it imports nothing else of the project.',
    ),
  },
  {
    files: ['processors/**/*.ts'],
    rules: restrict(
      [...drivers, '**/src/runtime/**', '**/src/adapters/**', '**/api/**'],
      'processors are pure: they import topics/ and src/domain only, never drivers, adapters or the runtime.',
    ),
  },
  {
    files: ['topics/**/*.ts'],
    rules: restrict(
      [...drivers, '**/processors/**', '**/api/**', '**/src/runtime/**'],
      'topics/ is data: no I/O.',
    ),
  },
  {
    files: ['api/**/*.ts'],
    rules: restrict(
      ['**/processors/**', 'kafkajs', 'pg', 'ioredis', '@elastic/*'],
      'api/ may import src/ and topics/, never processors/ or drivers.',
    ),
  },
  {
    files: ['src/runtime/**/*.ts'],
    rules: restrict(
      ['**/processors/**'],
      'the runtime receives the registry as an argument; it never imports processors/.',
    ),
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off', // node:test's describe/it return promises the runner awaits
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests index arrays freely; tsc (noUncheckedIndexedAccess) still requires the checks this rule calls needless.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  prettier,
);
