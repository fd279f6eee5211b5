import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Environment, versionWarnings } from '../../stacks/environment';
import { ENVIRONMENTS } from '../../stacks/environments';
import {
  EKS_SUPPORT,
  KUBERNETES_VERSIONS,
  KubernetesVersion,
  OPERATORS_FOR,
  CLOUD_KUBERNETES_VERSION,
  CLOUD_VERSION_CHOSEN_ON,
  atLeast,
  eksStandardVersions,
  longestSupportedEksVersion,
  eksSupportPhase,
  eksSupportWarning,
} from '../../stacks/kubernetes-versions';
import { main } from '../../stacks/synth-cli';

/** Windows from ../shared/crds/README.md ("Operator support by Kubernetes version"), [first, last] minor. */
const KEDA_TESTED: Record<string, [number, number]> = {
  '2.15': [28, 30],
  '2.16': [29, 31],
  '2.17': [30, 32],
  '2.18': [31, 33],
  '2.19': [32, 34],
  '2.20': [33, 35],
};
const CNPG_SUPPORTED: Record<string, [number, number]> = {
  '1.24': [28, 31],
  '1.25': [29, 32],
  '1.26': [30, 33],
  '1.27': [31, 33],
  '1.28': [32, 34],
  '1.29': [33, 35],
  '1.30': [34, 36],
};
const CERT_MANAGER_SUPPORTED: Record<string, [number, number]> = {
  '1.16': [25, 31],
  '1.18': [29, 33],
  '1.19': [31, 35],
  '1.20': [32, 35],
};

const line = (v: string) => v.split('.').slice(0, 2).join('.');
const minor = (v: KubernetesVersion) => Number(v.split('.')[1]);
const newestCovering = (windows: Record<string, [number, number]>, m: number) =>
  Object.keys(windows)
    .filter((l) => windows[l][0] <= m && m <= windows[l][1])
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .pop();

const TODAY = new Date('2026-11-27T09:00:00Z');
/** The day the cloud default was chosen (issue 24): 1.34 left standard support five days before. */
const DECEMBER = new Date('2026-12-07T09:00:00Z');

describe('the operator compatibility matrix', () => {
  it('has an entry for every supported minor from 1.28 to 1.36', () => {
    expect(Object.keys(OPERATORS_FOR)).toEqual([...KUBERNETES_VERSIONS]);
    expect(KUBERNETES_VERSIONS[0]).toBe('1.28');
    expect(KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]).toBe('1.36');
  });

  // A minor no published window covers yet (1.36 for KEDA and cert-manager) runs the newest line.
  const newestOrLatest = (windows: Record<string, [number, number]>, m: number) =>
    newestCovering(windows, m) ??
    Object.keys(windows)
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
      .pop();

  it.each([...KUBERNETES_VERSIONS])('pins for %s the newest KEDA, CloudNativePG and cert-manager lines that support it', (v) => {
    const ops = OPERATORS_FOR[v];
    expect(line(ops.keda)).toBe(newestOrLatest(KEDA_TESTED, minor(v)));
    expect(line(ops.cloudnativePg)).toBe(newestCovering(CNPG_SUPPORTED, minor(v)));
    expect(line(ops.certManager)).toBe(newestOrLatest(CERT_MANAGER_SUPPORTED, minor(v)));
  });

  it('has no published KEDA or cert-manager window for 1.36, and CloudNativePG 1.30 supports it', () => {
    expect(newestCovering(KEDA_TESTED, 36)).toBeUndefined();
    expect(newestCovering(CERT_MANAGER_SUPPORTED, 36)).toBeUndefined();
    expect(OPERATORS_FOR['1.36']).toMatchObject({ keda: '2.20.2', cloudnativePg: '1.30.0', certManager: '1.20.0', karpenter: '1.14.1' });
  });

  it.each([...KUBERNETES_VERSIONS])('runs for %s the cluster autoscaler of the same minor', (v) => {
    expect(line(OPERATORS_FOR[v].clusterAutoscaler)).toBe(v);
  });

  it('pins full release versions, never ranges', () => {
    for (const ops of Object.values(OPERATORS_FOR)) for (const pin of Object.values(ops)) expect(pin).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('orders versions', () => {
    expect(atLeast('1.31', '1.31')).toBe(true);
    expect(atLeast('1.35', '1.31')).toBe(true);
    expect(atLeast('1.30', '1.31')).toBe(false);
  });
});

describe('the EKS support calendar', () => {
  it('gives each minor 14 months of standard and 12 of extended support', () => {
    for (const [v, w] of Object.entries(EKS_SUPPORT)) {
      const months = (a: string, b: string) =>
        (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
      expect([v, months(w.released, w.endOfStandardSupport)]).toEqual([v, 14]);
      expect([v, months(w.endOfStandardSupport, w.endOfExtendedSupport)]).toEqual([v, 12]);
    }
  });

  it('has 1.34, 1.35 and 1.36 in standard support on 2026-11-27, 1.31 past extended support since 2026-11-26', () => {
    expect(eksStandardVersions(TODAY)).toEqual(['1.34', '1.35', '1.36']);
    expect(eksSupportPhase('1.33', TODAY)).toBe('extended');
    expect(eksSupportPhase('1.31', new Date('2026-11-26T23:00:00Z'))).toBe('extended');
    expect(eksSupportPhase('1.31', TODAY)).toBe('ended');
    expect(eksSupportPhase('1.28', TODAY)).toBe('ended');
    expect(eksSupportPhase('1.35', new Date('2026-01-01T00:00:00Z'))).toBe('unreleased');
  });

  it('has 1.35 and 1.36 in standard support on 2026-12-07, 1.34 in extended support since 2026-12-02', () => {
    expect(eksStandardVersions(DECEMBER)).toEqual(['1.35', '1.36']);
    expect(eksSupportPhase('1.34', new Date('2026-12-02T23:59:00Z'))).toBe('standard');
    expect(eksSupportPhase('1.34', new Date('2026-12-03T00:00:00Z'))).toBe('extended');
    expect(eksSupportPhase('1.36', new Date('2026-06-01T00:00:00Z'))).toBe('unreleased');
  });

  it('defaults cloud environments to the minor with the longest remaining standard support (1.36 on 2026-12-07)', () => {
    expect(longestSupportedEksVersion(DECEMBER)).toBe('1.36');
    expect(longestSupportedEksVersion(TODAY)).toBe('1.36');
    expect(longestSupportedEksVersion(new Date('2026-06-01T00:00:00Z'))).toBe('1.35');
    expect(longestSupportedEksVersion(new Date('2026-06-02T00:00:00Z'))).toBe('1.36');
    expect(CLOUD_VERSION_CHOSEN_ON).toBe('2026-12-07');
    expect(CLOUD_KUBERNETES_VERSION).toBe('1.36');
    expect(() => longestSupportedEksVersion(new Date('2030-01-01T00:00:00Z'))).toThrow(
      /no Kubernetes minor perfstack knows is in EKS standard support on 2030-01-01/,
    );
  });

  it('warns about the 1.36 default once it leaves standard support, naming nothing newer it does not know', () => {
    expect(eksSupportWarning('prod', '1.36', new Date('2027-08-02T12:00:00Z'))).toBeUndefined();
    expect(eksSupportWarning('prod', '1.36', new Date('2027-08-03T00:00:00Z'))).toBe(
      `prod: 'kubernetesVersion' ("1.36") left EKS standard support on 2027-08-02 and is billed as extended support until 2028-08-02; no minor perfstack knows is in standard support: add the newer ones to stacks/kubernetes-versions.ts`,
    );
  });

  it('warns in one line past standard support, and says what to choose', () => {
    expect(eksSupportWarning('prod', '1.35', TODAY)).toBeUndefined();
    expect(eksSupportWarning('prod', '1.33', TODAY)).toBe(
      `prod: 'kubernetesVersion' ("1.33") left EKS standard support on 2026-07-29 and is billed as extended support until 2027-07-29; choose one of 1.34, 1.35, 1.36`,
    );
    expect(eksSupportWarning('prod', '1.28', TODAY)).toMatch(
      /^prod: 'kubernetesVersion' \("1.28"\) is past EKS extended support \(ended 2025-11-26\).*choose one of 1.34, 1.35, 1.36$/,
    );
  });

  it.each(['dev', 'staging', 'prod'])('keeps the cloud environment %s in EKS standard support on 2026-12-07', (name) => {
    expect(ENVIRONMENTS[name].cloud.kind).toBe('aws');
    expect(eksSupportPhase(ENVIRONMENTS[name].kubernetesVersion, DECEMBER)).toBe('standard');
    expect(versionWarnings(ENVIRONMENTS[name], DECEMBER)).toEqual([]);
  });

  it('never warns about EKS for an environment outside AWS', () => {
    const onPrem: Environment = { ...ENVIRONMENTS.airgap, kubernetesVersion: '1.28' };
    expect(versionWarnings(onPrem, TODAY)).toEqual([]);
  });
});

describe('synth of an EKS environment past standard support', () => {
  it('writes the manifests, exits 0 and warns on stderr', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-versions-'));
    const old: Environment = { ...ENVIRONMENTS.dev, name: 'old', kubernetesVersion: '1.33' };
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(main(['--env', 'old', '--out', out], { old })).toBe(0);
      expect(fs.readdirSync(path.join(out, 'old')).length).toBeGreaterThan(3);
      // 1.33 left standard support on 2026-07-29 and never returns to it.
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/^synth: warning: old: 'kubernetesVersion' \("1.33"\) (left EKS standard support|is past EKS extended)/),
      ]);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
