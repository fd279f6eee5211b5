import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Problems } from '../core/errors';
import { checkShape, count, duration, strict } from '../core/schema';

/** How fast one direction of scaling may move. Both limits apply per `period`; the larger one wins. */
export interface ScalingRateOptions {
  /**
   * Time the autoscaler looks back before acting, to ride out flapping.
   * @default - Duration.seconds(0) up, Duration.minutes(5) down
   */
  readonly stabilizationWindow?: Duration;
  /**
   * Most pods, as a percentage of the current count, added or removed per period.
   * @default - 100 up, 50 down
   */
  readonly percent?: number;
  /**
   * Most pods added or removed per period.
   * @default - 4 up, 2 down
   */
  readonly pods?: number;
  /**
   * Period the two limits apply to.
   * @default - Duration.seconds(15) up, Duration.seconds(60) down
   */
  readonly period?: Duration;
}

/**
 * Scale-up and scale-down behaviour of the HorizontalPodAutoscaler (also handed to the HPA that KEDA owns).
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
 */
export interface ScalingBehaviorOptions {
  /** @default - no stabilization, at most +100% or +4 pods per 15 s, whichever is more */
  readonly scaleUp?: ScalingRateOptions;
  /** @default - 300 s stabilization, at most -50% or -2 pods per 60 s, whichever is more */
  readonly scaleDown?: ScalingRateOptions;
}

/** The defaults of DESIGN.md: react within one 15 s sync to a surge, shrink slowly after five quiet minutes. */
export const DEFAULT_SCALE_UP = { stabilizationWindow: Duration.seconds(0), percent: 100, pods: 4, period: Duration.seconds(15) } as const;
export const DEFAULT_SCALE_DOWN = { stabilizationWindow: Duration.minutes(5), percent: 50, pods: 2, period: Duration.seconds(60) } as const;

type Resolved = { readonly stabilizationWindow: Duration; readonly percent: number; readonly pods: number; readonly period: Duration };

function resolve(options: ScalingRateOptions | undefined, defaults: Resolved): Resolved {
  return {
    stabilizationWindow: options?.stabilizationWindow ?? defaults.stabilizationWindow,
    percent: options?.percent ?? defaults.percent,
    pods: options?.pods ?? defaults.pods,
    period: options?.period ?? defaults.period,
  };
}

function rules(r: Resolved): k8s.HpaScalingRulesV2 {
  return {
    stabilizationWindowSeconds: r.stabilizationWindow.toSeconds(),
    selectPolicy: 'Max',
    policies: [
      { type: 'Percent', value: r.percent, periodSeconds: r.period.toSeconds() },
      { type: 'Pods', value: r.pods, periodSeconds: r.period.toSeconds() },
    ],
  };
}

// Whole seconds: the API takes seconds, and toSeconds() throws on 1500 ms. The bounds are the API's.
const rate = strict({
  stabilizationWindow: duration({
    min: Duration.seconds(0),
    max: Duration.hours(1),
    wholeSeconds: true,
    boundsReason: 'the API maximum',
  }).optional(),
  percent: count(1).optional(),
  pods: count(1).optional(),
  period: duration({ min: Duration.seconds(1), max: Duration.minutes(30), wholeSeconds: true, boundsReason: 'the API bounds' }).optional(),
});

/** What {@link ScalingBehaviorOptions} may hold; the ScalableService and Environment schemas use this one. */
export const scalingBehaviorSchema = strict({ scaleUp: rate.optional(), scaleDown: rate.optional() });

/** Resolves the options against the defaults, validates them, and renders the autoscaling/v2 behavior. */
export function scalingBehavior(
  options: ScalingBehaviorOptions | undefined,
  problems: Problems,
  input = 'behavior',
): k8s.HorizontalPodAutoscalerBehaviorV2 {
  // Rendering converts to seconds; with a problem recorded the caller throws before using this.
  if (!checkShape(problems, scalingBehaviorSchema, options ?? {}, input)) return {};
  return { scaleUp: rules(resolve(options?.scaleUp, DEFAULT_SCALE_UP)), scaleDown: rules(resolve(options?.scaleDown, DEFAULT_SCALE_DOWN)) };
}
