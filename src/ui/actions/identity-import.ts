// Importing an identity from files the user picks: a w2w `.pt` (coefficients), a PEFT adapter
// (adapter_model.safetensors with its adapter_config.json), a kohya or diffusers LoRA. The space worker
// projects it onto the space; the page shows the relative residual, keeps it in the library, makes it current.
import { describeStrength } from '../../engine/models/lora-files';
import { errorMessage } from '../errors';
import { getIdentity, setIdentity } from '../identity-store';
import { spaceWorker } from '../workers';
import { refreshLibrary } from './library-list';
import { setIdentityCoef } from './space';

// What our exports end with (`.w2w.pt`, `.diffusers.safetensors`) goes too, so a re-import keeps the name.
const WEIGHTS = /(\.w2w|\.diffusers)?\.(pt|safetensors)$/i;

/** adapter_config.json's scale fields, checked (the rest of PEFT's config does not matter here). */
async function adapterConfig(file: File): Promise<{ lora_alpha?: number; r?: number }> {
  let v: unknown;
  try {
    v = JSON.parse(await file.text());
  } catch (e) {
    throw new Error(`${file.name}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file.name}: an adapter config must be a JSON object`);
  const { lora_alpha, r } = v as Record<string, unknown>;
  for (const [key, x] of [['lora_alpha', lora_alpha], ['r', r]] as const)
    if (x !== undefined && (typeof x !== 'number' || !Number.isFinite(x) || x <= 0)) throw new Error(`${file.name}: ${key} must be a positive number, got ${JSON.stringify(x)}`);
  return { lora_alpha: lora_alpha as number | undefined, r: r as number | undefined };
}

/** One weights file, plus an adapter_config.json for a PEFT adapter; anything else is refused by name. */
function pick(files: readonly File[]): { weights: File; config?: File } {
  const names = files.map((f) => f.name).join(', ');
  const weights = files.filter((f) => WEIGHTS.test(f.name));
  const configs = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const other = files.filter((f) => !weights.includes(f) && !configs.includes(f));
  if (other.length) throw new Error(`${other.map((f) => f.name).join(', ')}: not an identity file (.pt, .safetensors, or a PEFT adapter_config.json)`);
  if (weights.length !== 1 || configs.length > 1)
    throw new Error(`${names}: choose one weights file (.pt or .safetensors), with at most one adapter_config.json beside a PEFT adapter`);
  return { weights: weights[0], config: configs[0] };
}

export async function importIdentityFiles(files: readonly File[]): Promise<void> {
  const label = files.map((f) => f.name).join(' + ');
  setIdentity({ importNote: { file: label, text: 'projecting onto the space…' } });
  try {
    const { weights, config } = pick(files);
    const cfg = config ? await adapterConfig(config) : undefined;
    const r = await spaceWorker().importIdentity(weights, cfg);
    const text =
      r.format === 'w2w'
        ? `${weights.name}: w2w coefficients, read exactly (relative residual 0)`
        : `${weights.name}: LoRA strength ${describeStrength(r.strength!)}, projected onto the space, relative residual ‖θ − θ̂‖/‖θ‖ = ${r.residual.toPrecision(3)}`;
    const settings = { imported: { file: weights.name, config: config?.name, format: r.format, residual: r.residual, strength: r.strength } };
    const rec = await spaceWorker().addIdentity({ name: weights.name.replace(WEIGHTS, ''), coef: r.coef, space: getIdentity().space?.id, settings });
    await refreshLibrary();
    setIdentityCoef({ name: rec.name, coef: rec.coef, origin: settings, libraryId: rec.id });
    setIdentity({ importNote: { file: label, text } });
  } catch (e) {
    setIdentity({ importNote: { file: label, text: errorMessage(e), error: true } });
  }
}
