// Inversion settings: the reference's presets, user overrides, and the fallback when the space holds
// fewer principal components than a preset asks for.
import type { AdamOptions } from './adam';

export interface InversionSettings extends AdamOptions {
  /** Optimizer steps (one (t, ε) draw each). */
  steps: number;
  /** Coefficients optimized: the first k principal components. */
  components: number;
  seed: number;
  prompt: string;
}

export type PresetName = 'photo' | 'painting';

const ADAM = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-10 };

/** The reference's values: real photos use 10000 PCs; paintings and other out-of-domain images 1000, lr 1, no decay. */
export const PRESETS: Record<PresetName, Omit<InversionSettings, 'seed' | 'prompt'>> = {
  photo: { ...ADAM, components: 10000, steps: 400 },
  painting: { ...ADAM, components: 1000, steps: 800, lr: 1, weightDecay: 0 },
};

export const DEFAULT_PROMPT = 'sks person';

export function parsePreset(name: string): PresetName {
  if (name === 'photo' || name === 'painting') return name;
  throw new Error(`unknown preset ${JSON.stringify(name)}; choose photo or painting`);
}

function check(s: InversionSettings, available: number): void {
  const bad = (what: string, v: number) => new Error(`inversion: ${what}, got ${v}`);
  if (!Number.isInteger(s.steps) || s.steps < 1) throw bad('steps must be a positive integer', s.steps);
  if (!Number.isInteger(s.components) || s.components < 1) throw bad('components must be a positive integer', s.components);
  if (s.components > available) throw bad(`components must be at most the ${available} the space holds`, s.components);
  if (!(s.lr > 0 && Number.isFinite(s.lr))) throw bad('lr must be positive', s.lr);
  if (!(s.beta1 >= 0 && s.beta1 < 1)) throw bad('beta1 must be in [0, 1)', s.beta1);
  if (!(s.beta2 >= 0 && s.beta2 < 1)) throw bad('beta2 must be in [0, 1)', s.beta2);
  if (!(s.eps >= 0 && Number.isFinite(s.eps))) throw bad('eps must be ≥ 0', s.eps);
  if (!(s.weightDecay >= 0 && Number.isFinite(s.weightDecay))) throw bad('weight decay must be ≥ 0', s.weightDecay);
  if (!Number.isInteger(s.seed)) throw bad('seed must be an integer', s.seed);
  if (!s.prompt.trim()) throw new Error('inversion: the prompt is empty');
}

/**
 * A preset with overrides (undefined fields keep the preset's), checked. When the preset wants more
 * components than the space holds and none were asked for, it uses what there is and says so in `notes`.
 */
export function resolveSettings(
  preset: PresetName,
  overrides: Partial<InversionSettings>,
  available: number,
): { settings: InversionSettings; notes: string[] } {
  const notes: string[] = [];
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const settings: InversionSettings = { ...PRESETS[preset], seed: 0, prompt: DEFAULT_PROMPT, ...given };
  if (overrides.components === undefined && settings.components > available) {
    notes.push(`the space holds ${available} principal components, fewer than the ${preset} preset's ${settings.components}; using ${available}`);
    settings.components = available;
  }
  check(settings, available);
  return { settings, notes };
}
