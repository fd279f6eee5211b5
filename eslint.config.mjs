// One style for the whole repo: typescript-eslint's recommended rules, jest's for tests, Prettier for layout.
import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// The import rule of the layout (docs/layout.md): constructs <- stacks <- sizing <- (infra, planning, delivery,
// reporting, the CLIs); cli/ and manifests/ import no other folder; policies/ and loadtests/ take their context as
// arguments and import nothing of the constructs or stacks. Each folder lists the top-level folders it must not import.
const FORBIDDEN = {
  cli: ['constructs', 'stacks', 'sizing', 'infra', 'planning', 'delivery', 'policies', 'loadtests', 'manifests', 'imports'],
  manifests: ['constructs', 'stacks', 'sizing', 'infra', 'planning', 'delivery', 'policies', 'loadtests', 'cli', 'imports'],
  loadtests: ['constructs', 'stacks', 'sizing', 'infra', 'planning', 'delivery', 'policies', 'imports'],
  policies: ['constructs', 'stacks', 'sizing', 'infra', 'planning', 'delivery', 'loadtests', 'imports'],
  constructs: ['stacks', 'sizing', 'infra', 'planning', 'delivery', 'policies', 'cli'],
  // stacks may read the policy rules (their ids), to refuse an exemption of a rule that does not exist at synth time.
  stacks: ['sizing', 'infra', 'planning', 'delivery'],
  // Node sizing from the workloads, which `pulumi up` (infra/) and the planning tools both need: below both.
  sizing: ['infra', 'planning', 'delivery', 'reporting', 'policies', 'loadtests', 'cli'],
  planning: ['infra', 'delivery', 'policies'],
  delivery: ['infra', 'planning', 'policies'],
  // The scaling audit and the performance report read planning's cost and projection, never the Pulumi program.
  reporting: ['infra', 'delivery', 'policies'],
  // What `pulumi up` needs of node sizing is in sizing/: infra/ never reads the offline tools.
  infra: ['planning', 'delivery', 'policies'],
  // The runner reads the policy types from constructs, never the environments.
  remediation: ['stacks', 'infra', 'planning', 'delivery', 'policies', 'cli'],
};

// Folders that stay plain code: the packages they must not import (sizing/ runs in the planning CLIs without Pulumi;
// infra/ wraps its errors into Pulumi's).
const FORBIDDEN_PACKAGES = { sizing: ['@pulumi'] };

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
          ...(FORBIDDEN_PACKAGES[folder] ?? []).map((pkg) => ({
            regex: `^${pkg}(/|$)`,
            message: `${folder}/ must not import ${pkg} (docs/layout.md: ${folder}/ is plain code that infra/ and planning/ share).`,
          })),
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
    files: ['{cli,constructs,delivery,infra,loadtests,manifests,planning,policies,sizing,stacks}/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }] },
  },
  { files: ['test/**/*.test.ts'], ...jest.configs['flat/recommended'] },
  // Property-based tests assert through fast-check.
  { files: ['test/**/*.test.ts'], rules: { 'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'fc.assert', 'expect*'] }] } },
  prettier,
);
