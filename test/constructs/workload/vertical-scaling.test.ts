import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import {
  VpaResource,
  VpaUpdateMode,
  checkVerticalScaling,
  vpaHpaConflicts,
  vpaModeSupported,
} from '../../../constructs/workload/vertical-scaling';

const mode = fc.constantFrom<VpaUpdateMode>('Off', 'Initial', 'Recreate', 'Auto', 'InPlaceOrRecreate');
const resources = fc.subarray<VpaResource>(['cpu', 'memory']);

describe('VPA and HPA conflicts', () => {
  it('are exactly the controlled resources the HPA scales on, unless the VPA only recommends', () => {
    fc.assert(
      fc.property(mode, resources, resources, (m, controlled, hpa) => {
        const conflicts = vpaHpaConflicts(m, controlled, hpa);
        if (m === 'Off') return conflicts.length === 0;
        return (
          conflicts.every((r) => controlled.includes(r) && hpa.includes(r)) &&
          controlled.filter((r) => hpa.includes(r)).length === conflicts.length
        );
      }),
    );
  });

  it('suggests the resources that can stay under VPA control', () => {
    const p = new Problems('prod/nlp');
    checkVerticalScaling(p, 'vpa', { updateMode: 'Recreate' }, ['cpu']);
    expect(() => p.throwIfAny()).toThrow(
      "prod/nlp: 'vpa.updateMode' (\"Recreate\") would change the cpu request that the autoscaler scales on; use updateMode 'Off' or controlledResources ['memory']",
    );
  });

  it('rejects a minimum above the maximum', () => {
    const p = new Problems('t');
    checkVerticalScaling(
      p,
      'vpa',
      { minAllowed: { cpu: Cpu.units(2), memory: Size.gibibytes(1) }, maxAllowed: { cpu: Cpu.millis(500), memory: Size.gibibytes(2) } },
      [],
    );
    expect(() => p.throwIfAny()).toThrow("t: 'vpa.minAllowed.cpu' (2) must be <= 'maxAllowed.cpu' (500m)");
  });
});

describe('VPA InPlaceOrRecreate', () => {
  it('is allowed from Kubernetes 1.33 (in-place pod resize) and refused before, with the version in the message', () => {
    expect(vpaModeSupported('InPlaceOrRecreate', '1.32')).toBe(false);
    expect(vpaModeSupported('InPlaceOrRecreate', '1.33')).toBe(true);
    expect(vpaModeSupported('Recreate', '1.28')).toBe(true);
    const before = new Problems('prod/api');
    checkVerticalScaling(before, 'vpa', { updateMode: 'InPlaceOrRecreate', controlledResources: ['memory'] }, ['cpu'], '1.32');
    expect(() => before.throwIfAny()).toThrow(
      "prod/api: 'vpa.updateMode' (\"InPlaceOrRecreate\") needs Kubernetes 1.33 or newer (in-place pod resize); this cluster runs 1.32: use 'Recreate'",
    );
    const from = new Problems('prod/api');
    checkVerticalScaling(from, 'vpa', { updateMode: 'InPlaceOrRecreate', controlledResources: ['memory'] }, ['cpu'], '1.33');
    expect(() => from.throwIfAny()).not.toThrow();
  });

  it('is refused when no version is given (the oldest supported, 1.28)', () => {
    const p = new Problems('x');
    checkVerticalScaling(p, 'vpa', { updateMode: 'InPlaceOrRecreate', controlledResources: ['memory'] }, []);
    expect(() => p.throwIfAny()).toThrow(/needs Kubernetes 1.33 or newer/);
  });

  it('still must not steer a resource the HPA scales on', () => {
    const p = new Problems('x');
    checkVerticalScaling(p, 'vpa', { updateMode: 'InPlaceOrRecreate' }, ['cpu'], '1.35');
    expect(() => p.throwIfAny()).toThrow(/would change the cpu request that the autoscaler scales on/);
  });
});
