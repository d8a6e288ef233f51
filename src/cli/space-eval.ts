// `eval --space DIR [--debias A~B]…`: the space keys of the fixtures from an inputs file: space.theta /
// space.theta_back from space.coef, the loss and ∂L/∂c with the UNet-gradient inputs, and a direction
// per label column plus one per debias chain.
import type { SafetensorsFile, TensorToWrite } from '../engine/io/safetensors';
import type { StableDiffusion } from '../engine/sd/stable-diffusion';
import { spaceFolderFromPath } from '../engine/space/files-node';
import { loadSpace } from '../engine/space/load';
import { readInput } from './inputs';

const UNET_LOSS_INPUTS = ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.target', 'lora.mask'];

const f32 = (shape: number[], data: Float32Array): TensorToWrite => ({ dtype: 'F32', shape, data });

export async function evalSpace(sd: StableDiffusion, inputs: SafetensorsFile, dir: string, debias: readonly string[]): Promise<Record<string, TensorToWrite>> {
  const coef = inputs.has('space.coef') ? await inputs.readFloat32('space.coef') : null;
  // The space keeps as many components as the coefficients have (all of V for the fixtures).
  const space = await loadSpace(spaceFolderFromPath(dir), { layout: sd.lora, k: coef ? coef.length : undefined });
  const out: Record<string, TensorToWrite> = {};
  for (const c of [...space.labelColumns, ...debias]) out[`space.direction.${c}`] = f32([space.data.pcs], space.direction(c));
  if (!coef) return out;
  const theta = space.theta(coef);
  out['space.theta'] = f32([1, theta.length], theta);
  out['space.theta_back'] = f32([1, space.k], space.coef(theta));
  if (UNET_LOSS_INPUTS.every((k) => inputs.has(k))) {
    const [x, t, text, target, mask] = await Promise.all(UNET_LOSS_INPUTS.map((k) => readInput(inputs, k)));
    const { loss, grad } = await sd.unetLossGrad(x, t, text, target, mask, theta);
    out['space.coef_loss'] = f32([1], Float32Array.of(loss));
    out['space.coef_grad'] = f32([1, space.k], space.gradCoef(grad));
  }
  return out;
}
