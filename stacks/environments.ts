import { airgap } from './airgap';
import { dev } from './dev';
import { Environment } from './environment';
import { prod } from './prod';
import { airgapMinimum, airgapRecommended } from './sizing-profiles';
import { staging } from './staging';

/** Every environment `npm run synth` writes, by name, in a fixed order. */
export const ENVIRONMENTS: Readonly<Record<string, Environment>> = {
  dev,
  staging,
  prod,
  airgap,
  'airgap-minimum': airgapMinimum,
  'airgap-recommended': airgapRecommended,
};
