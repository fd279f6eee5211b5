import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { airgap } from './airgap';
import { Environment, PostgresTier, RedisTier } from './environment';
import { webPlatformRemediation } from './remediation-policies';
import { webPlatformServices } from './services';

/**
 * On-premises sizing profiles the product is sold against (DESIGN.md): the total cores and memory of the site's
 * nodes, and the node set each profile is checked on (`npm run capacity -- --env <env> --nodes <nodes>`).
 */
export interface SizingProfile {
  /** Environment that implements the profile. */
  readonly environment: string;
  /** Total cores and GB (10^9 bytes) of the site's nodes. */
  readonly budget: { readonly cores: number; readonly memoryGB: number };
  /** The node set the profile is checked on, in `--nodes` syntax. */
  readonly nodes: string;
  /** What the profile gives up against enterprise. */
  readonly givesUp: string;
}

export const SIZING_PROFILES: Readonly<Record<'minimum' | 'recommended' | 'enterprise', SizingProfile>> = {
  minimum: {
    environment: 'airgap-minimum',
    budget: { cores: 4, memoryGB: 8 },
    nodes: '1x4/8G',
    givesUp: 'high availability: one node, one replica per service, Redis without replicas, one PostgreSQL instance',
  },
  recommended: {
    environment: 'airgap-recommended',
    budget: { cores: 16, memoryGB: 32 },
    nodes: '4x4/8G',
    givesUp: 'zone redundancy (two failure domains), one PostgreSQL replica instead of two, smaller caches',
  },
  enterprise: {
    environment: 'airgap',
    budget: { cores: 64, memoryGB: 128 },
    nodes: '8x8/16G',
    givesUp: 'nothing: three zones, Redis and PostgreSQL replicated across them',
  },
};

const MINIMUM_SERVICES = webPlatformServices({ scale: 'minimal' });

/** What a profile changes of the enterprise site (airgap.ts): its zones and data-tier sizes, and what follows from them. */
interface ProfileChanges extends Partial<Pick<Environment, 'production' | 'services' | 'remediation'>> {
  readonly zones: Environment['zones'];
  readonly redis: Partial<RedisTier>;
  readonly postgres: Partial<Omit<PostgresTier, 'backup'>>;
}

/** The enterprise site resized: its own name, backup path and `profile` cost label, the rest of airgap.ts kept. */
function airgapProfile(profile: 'minimum' | 'recommended', changes: ProfileChanges): Environment {
  const { redis, postgres, ...rest } = changes;
  const name = `airgap-${profile}`;
  const base = airgap.dataTier;
  return {
    ...airgap,
    name,
    ...rest,
    dataTier: {
      redis: { ...base.redis, ...redis },
      postgres: { ...base.postgres, ...postgres, backup: { ...base.postgres.backup, destinationPath: `s3://postgres-backups/${name}` } },
    },
    costAllocation: { ...airgap.costAllocation, extraLabels: { ...airgap.costAllocation.extraLabels, profile } },
  };
}

/**
 * The smallest on-prem installation: evaluation and small sites. Not `production`, so the availability policies
 * (two replicas, replicated databases) do not apply: a node failure is an outage until it is back.
 */
export const airgapMinimum: Environment = airgapProfile('minimum', {
  zones: ['site-a'],
  production: false,
  services: MINIMUM_SERVICES,
  // Re-derived from the smaller services: the base's floor raises would pass their max replicas.
  remediation: webPlatformRemediation(MINIMUM_SERVICES, { dryRun: true }),
  redis: { replicasPerShard: 0, memory: Size.mebibytes(256), cpu: Cpu.millis(100), storage: Size.gibibytes(5) },
  postgres: { instances: 1, synchronousReplicas: 0, memory: Size.mebibytes(768), cpu: Cpu.millis(250), storage: Size.gibibytes(20) },
});

/** A production site on four mid-size nodes in two failure domains (racks or rooms). */
export const airgapRecommended: Environment = airgapProfile('recommended', {
  zones: ['site-a', 'site-b'],
  redis: { memory: Size.mebibytes(768), cpu: Cpu.millis(250), storage: Size.gibibytes(10) },
  postgres: { instances: 2, memory: Size.gibibytes(3), cpu: Cpu.millis(750), storage: Size.gibibytes(100) },
});
