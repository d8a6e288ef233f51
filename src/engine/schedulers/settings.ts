// Reads a diffusers scheduler_config.json object into the settings our schedulers use, with the
// defaults diffusers applies for keys the file leaves out.

export type SchedulerName = 'pndm' | 'ddim';
export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export type PredictionType = 'epsilon' | 'v_prediction';

export interface SchedulerSettings {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas: number[] | null;
  setAlphaToOne: boolean;
  stepsOffset: number;
  timestepSpacing: TimestepSpacing;
  predictionType: PredictionType;
  /** PNDM only: PLMS from the first step (what Stable Diffusion uses) instead of 12 Runge-Kutta evaluations. */
  skipPrkSteps: boolean;
  /** DDIM only: clamp the predicted x0 to ±clipSampleRange. */
  clipSample: boolean;
  clipSampleRange: number;
}

export type RawSchedulerConfig = Record<string, unknown>;

const CLASS_NAMES: Record<string, SchedulerName> = { PNDMScheduler: 'pndm', DDIMScheduler: 'ddim' };

/** The scheduler the config was written for, from its "_class_name". */
export function schedulerNameOf(config: RawSchedulerConfig): SchedulerName {
  const className = config._class_name;
  const name = typeof className === 'string' ? CLASS_NAMES[className] : undefined;
  if (!name) throw new Error(`unsupported scheduler class ${JSON.stringify(className)}; choose one of pndm, ddim`);
  return name;
}

// null counts as absent, as diffusers writes e.g. "trained_betas": null.
function read<T>(config: RawSchedulerConfig, key: string, fallback: T, check: (v: unknown) => boolean): T {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (!check(value)) throw new Error(`scheduler config: invalid ${key} ${JSON.stringify(value)}`);
  return value as T;
}

const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const isBool = (v: unknown) => typeof v === 'boolean';
const oneOf = (...options: string[]) => (v: unknown) => typeof v === 'string' && options.includes(v);

/** Settings for `name`, taking the values in `config` (which may be written for the other scheduler). */
export function readSchedulerSettings(config: RawSchedulerConfig, name: SchedulerName): SchedulerSettings {
  for (const key of ['thresholding', 'rescale_betas_zero_snr']) {
    if (name === 'ddim' && config[key] === true) throw new Error(`scheduler config: ${key} is not supported`);
  }
  const numTrainTimesteps = read(config, 'num_train_timesteps', 1000, (v) => isCount(v) && (v as number) > 0);
  const trainedBetas = read<number[] | null>(config, 'trained_betas', null,
    (v) => Array.isArray(v) && v.length === numTrainTimesteps && v.every(isNumber));
  return {
    numTrainTimesteps,
    betaStart: read(config, 'beta_start', 0.0001, isNumber),
    betaEnd: read(config, 'beta_end', 0.02, isNumber),
    betaSchedule: read(config, 'beta_schedule', 'linear', oneOf('linear', 'scaled_linear', 'squaredcos_cap_v2')),
    trainedBetas,
    // diffusers defaults differ per class: PNDM false, DDIM true.
    setAlphaToOne: read(config, 'set_alpha_to_one', name === 'ddim', isBool),
    stepsOffset: read(config, 'steps_offset', 0, isCount),
    timestepSpacing: read(config, 'timestep_spacing', 'leading', oneOf('leading', 'trailing', 'linspace')),
    predictionType: read(config, 'prediction_type', 'epsilon', oneOf('epsilon', 'v_prediction')),
    skipPrkSteps: read(config, 'skip_prk_steps', false, isBool),
    // diffusers' DDIM defaults to true, but SD configs set false and a DDIM built from SD's PNDM
    // config is meant to run unclipped (the reference pipeline fixtures are), so absent means false.
    clipSample: read(config, 'clip_sample', false, isBool),
    clipSampleRange: read(config, 'clip_sample_range', 1, isNumber),
  };
}
