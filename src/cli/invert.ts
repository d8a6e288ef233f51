// `invert`: one photo → a w2w model file (torch.save of a (1, K) float32 tensor), printing the loss per
// step. Every file check happens before the first model session; a checkpoint file makes it resumable.
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ImageFile } from '../engine/invert/intake';
import {
  evalLoss, intake, invert, parsePreset, readEvalSet, resolveSettings, stateFromFile, stateToBytes,
  type CropSquare, type EvalSet, type InversionSpace, type InversionState,
} from '../engine/invert/index';
import { openSafetensors } from '../engine/io/safetensors';
import { openPath } from '../engine/io/source-node';
import type { StableDiffusion } from '../engine/sd/stable-diffusion';
import { num, parseFlags, str, type Flags } from './args';
import { MODEL_FLAGS, openModelFromFlags } from './node-model';
import { decodeImageNode, encodePng } from './png';
import { autoFrame } from '../engine/face/auto-frame';
import { facesOrNote, readPhotoNode } from './face-photo';
import { spaceFolderFromPath } from '../engine/space/files-node';
import { loadSpace } from '../engine/space/load';
import type { Space } from '../engine/space/space';
import { openTensor, writeCoefficients } from '../engine/space/pt';

async function readImageFile(path: string): Promise<ImageFile> {
  try {
    return { name: path, bytes: await readFile(path) };
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function parseCrop(s: string): CropSquare {
  const [x, y, size] = s.split(',').map(Number);
  if (![x, y, size].every(Number.isFinite)) throw new Error(`--crop must be x,y,side in pixels, got ${s}`);
  return { x, y, size };
}

/** --auto-mask / --auto-crop: the automatic head mask (as a mask file for intake) and crop from the photo's face. */
async function autoInputs(path: string, withMask: boolean): Promise<{ mask: ImageFile | null; crop?: CropSquare; notes: string[] }> {
  const img = await readPhotoNode(path);
  const frame = autoFrame(await facesOrNote(img), img);
  return { mask: withMask ? { name: 'automatic head mask', bytes: encodePng(frame.mask) } : null, crop: frame.crop, notes: frame.notes };
}

const opt = (f: Flags, name: string): number | undefined => (f[name] === undefined ? undefined : num(f, name));

async function resumeFrom(path: string | undefined): Promise<InversionState | undefined> {
  if (!path) return undefined;
  const src = await openPath(path).catch(() => null);
  return src ? stateFromFile(await openSafetensors(src)) : undefined;
}

/** Written next to its final name, then renamed: an interrupted write never destroys the last checkpoint. */
async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
}

async function printEval(sd: StableDiffusion, space: InversionSpace, set: EvalSet | null, coef: Float32Array, label: string) {
  if (set) console.log(`eval loss (${label}): ${(await evalLoss(sd, await space.thetaAsync(coef), set)).toPrecision(6)}`);
}

export async function invertCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, {
    known: [...MODEL_FLAGS, 'space', 'image', 'mask', 'steps', 'components', 'lr', 'beta1', 'beta2', 'eps', 'weight-decay', 'seed', 'preset',
      'size', 'crop', 'checkpoint', 'checkpoint-every', 'eval', 'out', 'auto-mask', 'auto-crop'],
    boolean: ['auto-mask', 'auto-crop'],
  });
  if (f.mask && f['auto-mask']) throw new Error('give either --mask FILE or --auto-mask, not both');
  if (f.crop && f['auto-crop']) throw new Error('give either --crop x,y,side or --auto-crop, not both');
  const out = str(f, 'out');
  const preset = parsePreset(str(f, 'preset', 'photo'));
  const photo = await readImageFile(str(f, 'image'));
  const auto = f['auto-mask'] || f['auto-crop'] ? await autoInputs(photo.name, f['auto-mask'] === true) : null;
  const maskFile = f.mask ? await readImageFile(str(f, 'mask')) : auto?.mask ?? null;
  const crop = f.crop ? parseCrop(str(f, 'crop')) : f['auto-crop'] ? auto?.crop : undefined;
  const sd = await openModelFromFlags(f);
  let space: Space | undefined;
  try {
    const inputs = await intake(photo, maskFile, decodeImageNode, sd, { size: opt(f, 'size'), crop });
    const folder = spaceFolderFromPath(str(f, 'space'));
    const available = (await openTensor(await folder.source('V.pt'))).shape[1];
    const { settings, notes } = resolveSettings(preset, {
      steps: opt(f, 'steps'), components: opt(f, 'components'), lr: opt(f, 'lr'), beta1: opt(f, 'beta1'), beta2: opt(f, 'beta2'),
      eps: opt(f, 'eps'), weightDecay: opt(f, 'weight-decay'), seed: opt(f, 'seed'),
    }, available);
    space = await loadSpace(folder, { k: settings.components, layout: sd.lora });
    // The V_k products of every step run on onnxruntime too (plain loops are 4–10× slower at full size).
    await space.useRuntime(sd.runtime);
    for (const n of [...(auto?.notes ?? []), ...inputs.notes, ...notes]) console.log(`note: ${n}`);
    if (crop) console.log(`crop: ${[crop.x, crop.y, crop.size].map((v) => +v.toFixed(2)).join(',')}`);
    const evalSet = f.eval ? await readEvalSet(await openSafetensors(await openPath(str(f, 'eval')))) : null;
    const checkpoint = f.checkpoint ? str(f, 'checkpoint') : undefined;
    const resume = await resumeFrom(checkpoint);
    if (resume) console.log(`resuming ${checkpoint} at step ${resume.adam.step}`);
    await printEval(sd, space, evalSet, resume?.coef ?? new Float32Array(settings.components), resume ? `step ${resume.adam.step}` : 'mean model, c = 0');
    console.log(`inverting ${photo.name}: ${settings.steps} steps, ${settings.components} components, lr ${settings.lr}, weight decay ${settings.weightDecay}, seed ${settings.seed}`);
    const state = await invert(sd, space, inputs, settings, {
      resume,
      checkpointEvery: checkpoint ? num(f, 'checkpoint-every', 50) : undefined,
      onCheckpoint: checkpoint ? (s) => writeAtomic(checkpoint, stateToBytes(s)) : undefined,
      onStep: (s) => console.log(`step ${s.step}/${s.total} loss ${s.loss.toPrecision(6)} (${s.msPerStep.toFixed(0)} ms/step${s.etaMs === undefined ? '' : `, ${(s.etaMs / 1000).toFixed(0)} s left`})`),
    });
    await printEval(sd, space, evalSet, state.coef, `after ${state.adam.step} steps`);
    await writeAtomic(out, writeCoefficients(state.coef));
    console.log(`wrote ${out}: (1, ${state.coef.length}) float32`);
  } finally {
    await space?.detachProjector();
    await sd.release();
  }
}
