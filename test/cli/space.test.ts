// The space commands as users run them (`npm run cli -- …`), in child processes against the fixture.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { openTensor } from '../../src/engine/space/pt';
import type { Space } from '../../src/engine/space/space';
import { fixturePath, relErr } from '../helpers/fixture';

const run = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd() })).stdout;
const common = ['--model', fixturePath(), '--space', fixturePath('w2w-space')];
const coefOf = async (path: string) => (await openTensor(await openPath(path))).read();

describe('space cli', () => {
  let dir: string;
  let space: Space;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'w2w-cli-'));
    space = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')));
  });

  it('sample writes w2wmodel.pt (seeded) and the LoRA formats', async () => {
    const out = await run('sample', ...common, '--seed', '4', '--diversity', '0.7', '--out', join(dir, 's'), '--format', 'w2w', '--format', 'peft', '--format', 'kohya');
    expect(out).toMatch(/sampled seed 4, diversity 0.7, k 48; nearest training identity/);
    expect(Array.from(await coefOf(join(dir, 's', 'w2wmodel.pt')))).toEqual(Array.from(space.sample(4, 0.7)));
    expect((await readdir(join(dir, 's'))).sort()).toEqual(['unet', 'w2w.safetensors', 'w2wmodel.pt']);
    expect((await readdir(join(dir, 's', 'unet'))).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  }, 60_000);

  it('edit composes raw and calibrated edits in order', async () => {
    const out = await run('edit', ...common, '--in', join(dir, 's', 'w2wmodel.pt'), '--alpha', 'Male=3', '--slider', 'Young~Male=-0.5', '--out', join(dir, 'e'));
    expect(out).toMatch(/Male: α = 3\.00000/);
    expect(out).toMatch(/Young~Male: α = -/);
    const expected = space.edit(space.sample(4, 0.7), [{ direction: 'Male', alpha: 3 }, { direction: 'Young~Male', slider: -0.5 }]);
    expect(relErr(await coefOf(join(dir, 'e', 'w2wmodel.pt')), expected)).toBeLessThan(1e-6);
  }, 60_000);

  it('import projects a PEFT export back to the same coefficients and reports the residual', async () => {
    const out = await run('import', ...common, '--in', join(dir, 's', 'unet', 'adapter_model.safetensors'), '--out', join(dir, 'i'));
    expect(out).toMatch(/LoRA strength \(alpha \/ rank\) 27 \(adapter_config\.json\)/);
    const residual = Number(/relative residual ‖θ − θ̂‖\/‖θ‖ = (\S+);/.exec(out)![1]);
    expect(residual).toBeLessThan(1e-5);
    expect(relErr(await coefOf(join(dir, 'i', 'w2wmodel.pt')), space.sample(4, 0.7))).toBeLessThan(1e-5);
  }, 60_000);

  it('export rewrites an identity as an fp16 diffusers LoRA', async () => {
    await run('export', ...common, '--in', join(dir, 's', 'w2wmodel.pt'), '--format', 'diffusers', '--fp16', '--out', join(dir, 'x'));
    const st = await openSafetensors(await openPath(join(dir, 'x', 'pytorch_lora_weights.safetensors')));
    expect(st.keys()[0]).toMatch(/^unet\.down_blocks\.0\..*\.to_q\.lora\.down\.weight$/);
    expect(st.info(st.keys()[0]).dtype).toBe('F16');
  }, 60_000);

  it('eval --space --debias writes the space keys for an inputs file holding space.coef', async () => {
    const ref = await openSafetensors(await openPath(fixturePath('reference.safetensors')));
    const inputs = join(dir, 'inputs.safetensors');
    await writeFile(inputs, writeSafetensors({ 'space.coef': { dtype: 'F32', shape: [1, 48], data: await ref.readFloat32('space.coef') } }));
    await run('eval', '--model', fixturePath(), '--inputs', inputs, '--space', fixturePath('w2w-space'), '--debias', 'Young~Male', '--debias', 'Male~Young~Eyeglasses', '--out', join(dir, 'eval.safetensors'));
    const out = await openSafetensors(await openPath(join(dir, 'eval.safetensors')));
    for (const key of ['space.theta', 'space.theta_back', 'space.direction.Young~Male'])
      expect(relErr(await out.readFloat32(key), await ref.readFloat32(key)), key).toBeLessThan(1e-4);
    expect(out.keys().filter((k) => k.startsWith('space.direction.')).length).toBe(42);
    expect(Array.from(await out.readFloat32('space.direction.Male~Young~Eyeglasses'))).toEqual(Array.from(space.direction('Male~Young~Eyeglasses')));
    expect(out.has('space.coef_grad')).toBe(false); // no UNet-gradient inputs
  }, 120_000);

  it('bad flags are named', async () => {
    await expect(run('edit', ...common, '--in', join(dir, 's', 'w2wmodel.pt'), '--alpha', 'Freckles=1', '--out', join(dir, 'z'))).rejects.toThrow(/unknown attribute "Freckles"/);
    await expect(run('sample', ...common, '--format', 'onnx', '--out', join(dir, 'z'))).rejects.toThrow(/--format must be one of w2w\|peft\|kohya\|diffusers, got onnx/);
    await expect(run('eval', '--model', fixturePath(), '--inputs', fixturePath('reference.safetensors'), '--out', join(dir, 'o'), '--debias', 'Young~Male')).rejects.toThrow(/--debias needs --space DIR/);
  }, 60_000);
});
