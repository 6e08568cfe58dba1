// The lint gate (npm run lint): typescript-eslint's type-checked recommended rules over the
// source, the tests, the benchmarks and the examples. Every rule turned off carries its reason.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused names are already refused by tsc (noUnusedLocals, noUnusedParameters); a leading _ marks an intended one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `async` on a method of a Promise-returning interface (a store, an outbox, an adapter) is the plainest way to
      // write a synchronous implementation of it, and it turns a throw into a rejection, which callers rely on.
      '@typescript-eslint/require-await': 'off',
      // Passing on a caught value (unknown by nature) as the rejection keeps it as it was thrown.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read decoded JSON (`res.json()`, parsed CLI output, recorded simulator bodies) as `any` and assert on
      // it field by field: the assertion is the type check, and declaring a type first would only restate it.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false }, globals: { ...globals.node } },
  },
  {
    files: ['src/server/dashboard/**/*.js'],
    languageOptions: { parserOptions: { projectService: false }, globals: { ...globals.browser } },
  },
);
