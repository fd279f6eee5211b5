/**
 * The environments and what reads them (cdk8s constructs, the synth, the Pulumi stack settings), loaded on first use:
 * the planning CLIs parse their arguments first, so `--help` and usage errors answer without loading cdk8s or Pulumi
 * (issue 31: every CLI's first output within 0.5 s).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export const stacks = () => ({
  ...(require('../../stacks/environments') as typeof import('../../stacks/environments')),
  ...(require('../../stacks/synth') as typeof import('../../stacks/synth')),
  ...(require('../../stacks/stack-config') as typeof import('../../stacks/stack-config')),
  ...(require('../../constructs/core/errors') as typeof import('../../constructs/core/errors')),
  ...(require('../../constructs/core/quantities') as typeof import('../../constructs/core/quantities')),
  ...(require('../../constructs/workload/scaling-metric') as typeof import('../../constructs/workload/scaling-metric')),
  ...(require('../../sizing/pool-bounds') as typeof import('../../sizing/pool-bounds')),
  ...(require('../../manifests/load') as typeof import('../../manifests/load')),
});
/* eslint-enable @typescript-eslint/no-require-imports */
