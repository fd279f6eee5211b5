// One style for the whole repo: typescript-eslint's recommended rules, jest's for tests, Prettier for layout.
import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['imports/**', 'dist/**', 'lib/**', 'node_modules/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'prefer-const': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['test/**/*.test.ts'], ...jest.configs['flat/recommended'] },
  // Property-based tests assert through fast-check.
  { files: ['test/**/*.test.ts'], rules: { 'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'fc.assert', 'expect*'] }] } },
  prettier,
);
