import * as fs from 'fs';
import * as path from 'path';
import { ENVIRONMENTS } from '../../stacks/environments';

const ROOT = path.resolve(__dirname, '../..');

/** Every registered environment (stacks/environments.ts), in registry order: tests iterate these, never a literal list. */
export const ENVIRONMENT_NAMES: readonly string[] = Object.keys(ENVIRONMENTS);

/** Registered environments with a committed Pulumi stack config (`Pulumi.<name>.yaml`). */
export const PULUMI_STACKS: readonly string[] = ENVIRONMENT_NAMES.filter((n) => fs.existsSync(path.join(ROOT, `Pulumi.${n}.yaml`)));

/** Pulumi stacks whose environment runs on AWS: the ones `pulumi up` builds a cloud side for. */
export const CLOUD_STACKS: readonly string[] = PULUMI_STACKS.filter((n) => ENVIRONMENTS[n].cloud.kind === 'aws');
