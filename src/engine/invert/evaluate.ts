// A fixed evaluation set of (x_t, t, ε) for one photo, and the masked denoising loss of an identity on
// it: how inversion progress is measured independently of the random draws of the run itself.
import type { SafetensorsFile } from '../io/safetensors';
import { f32, i64, type HostTensor } from '../runtime/tensor';
import type { StableDiffusion } from '../sd/stable-diffusion';

export interface EvalSet {
  /** [N, C, h, w] */
  xt: HostTensor;
  /** [N] int64 */
  t: HostTensor;
  /** [N, C, h, w] */
  eps: HostTensor;
  /** [1, 1, h, w] binary */
  mask: HostTensor;
  /** [N, 77, hidden] */
  text: HostTensor;
}

/** Keys `x_t`, `t`, `eps`, `mask`, `text`, shapes checked against each other. */
export async function readEvalSet(f: SafetensorsFile): Promise<EvalSet> {
  for (const k of ['x_t', 't', 'eps', 'mask', 'text']) if (!f.has(k)) throw new Error(`${f.name}: evaluation set lacks tensor ${k}`);
  const shape = (k: string) => [...f.info(k).shape];
  const [n, , h, w] = shape('x_t');
  const ok = shape('x_t').length === 4 && String(shape('eps')) === String(shape('x_t')) && String(shape('t')) === String([n]) &&
    String(shape('mask')) === String([1, 1, h, w]) && shape('text').length === 3 && shape('text')[0] === n;
  if (!ok) throw new Error(`${f.name}: evaluation set shapes disagree (${['x_t', 't', 'eps', 'mask', 'text'].map((k) => `${k} [${shape(k)}]`).join(', ')})`);
  return {
    xt: f32(shape('x_t'), await f.readFloat32('x_t')),
    t: i64([n], await f.readInt64('t')),
    eps: f32(shape('eps'), await f.readFloat32('eps')),
    mask: f32(shape('mask'), await f.readFloat32('mask')),
    text: f32(shape('text'), await f.readFloat32('text')),
  };
}

/** mean((mask·ε̂ − mask·ε)²) over all elements of the set, for the LoRA vector θ (forward only). */
export async function evalLoss(sd: StableDiffusion, theta: Float32Array, set: EvalSet): Promise<number> {
  const pred = (await sd.unet(set.xt, set.t, set.text, theta)).data as Float32Array;
  const eps = set.eps.data as Float32Array;
  const mask = set.mask.data as Float32Array;
  const plane = mask.length;
  let sum = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = mask[i % plane] * pred[i] - mask[i % plane] * eps[i];
    sum += d * d;
  }
  return sum / pred.length;
}
