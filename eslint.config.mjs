// One style for the whole repo: typescript-eslint's recommended rules, jest's for tests, Prettier for layout.
import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// The import rule of the layout (docs/layout.md): constructs <- stacks <- (infra, planning, delivery, reporting, the CLIs); cli/ and
// manifests/ import no other folder; policies/ and loadtests/ take their context as arguments and import nothing of
// the constructs or stacks. Each folder lists the top-level folders it must not import.
const FORBIDDEN = {
  cli: ['constructs', 'stacks', 'infra', 'planning', 'delivery', 'policies', 'loadtests', 'manifests', 'imports'],
  manifests: ['constructs', 'stacks', 'infra', 'planning', 'delivery', 'policies', 'loadtests', 'cli', 'imports'],
  loadtests: ['constructs', 'stacks', 'infra', 'planning', 'delivery', 'policies', 'imports'],
  policies: ['constructs', 'stacks', 'infra', 'planning', 'delivery', 'loadtests', 'imports'],
  constructs: ['stacks', 'infra', 'planning', 'delivery', 'policies', 'cli'],
  // stacks may read the policy rules (their ids), to refuse an exemption of a rule that does not exist at synth time.
  stacks: ['infra', 'planning', 'delivery'],
  planning: ['infra', 'delivery', 'policies'],
  delivery: ['infra', 'planning', 'policies'],
  // The scaling audit and the performance report read planning's cost and projection, never the Pulumi program.
  reporting: ['infra', 'delivery', 'policies'],
  infra: ['delivery', 'policies'],
  // The runner reads the policy types from constructs, never the environments.
  remediation: ['stacks', 'infra', 'planning', 'delivery', 'policies', 'cli'],
};

export const importBoundaries = Object.entries(FORBIDDEN).map(([folder, forbidden]) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
            message: `${folder}/ must not import ${forbidden.join(', ')} (docs/layout.md: imports run one way).`,
          },
        ],
      },
    ],
  },
}));

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
  ...importBoundaries,
  // A function longer than a screen or two does several jobs: split it (test/import-boundaries.test.ts plants one).
  {
    files: ['{cli,constructs,delivery,infra,loadtests,manifests,planning,policies,stacks}/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }] },
  },
  { files: ['test/**/*.test.ts'], ...jest.configs['flat/recommended'] },
  // Property-based tests assert through fast-check.
  { files: ['test/**/*.test.ts'], rules: { 'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'fc.assert', 'expect*'] }] } },
  prettier,
);
