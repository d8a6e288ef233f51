// `npm run bench:pack`: the Node benchmark as one folder (≤ 40 MB) that runs with `node bench.mjs …` on a
// Linux x64 machine with a GPU, a Vulkan loader and node, and no package registry: the bench bundled by
// esbuild (bench-bundle.mjs, onnxruntime-node left outside), a launcher (bench.mjs), onnxruntime-node and
// onnxruntime-common with the linux-x64 binaries only (the 46 MB library gzipped), the SD 1.5 config, the
// PyTorch script. Prints the folder's path last.
//   npm run bench:pack [-- --out DIR]
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { values: a } = parseArgs({ options: { out: { type: 'string', default: path.join(here, 'out/pack') } } });
const out = path.resolve(a.out!);
/** The folder's budget: small enough to hand to a machine with a GPU. */
const MAX_BYTES = 40 * 2 ** 20;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' } as const;
await build({ ...common, entryPoints: [path.join(here, 'pack-entry.ts')], outfile: path.join(out, 'bench-bundle.mjs'),
  external: ['onnxruntime-node'], define: { W2W_PACKED: 'true' },
  // The bundle's CommonJS dependencies call require(); ESM has none of its own.
  banner: { js: "import { createRequire as __w2wRequire } from 'node:module'; const require = __w2wRequire(import.meta.url);" } });
await build({ ...common, entryPoints: [path.join(here, 'pack-launcher.ts')], outfile: path.join(out, 'bench.mjs'), external: ['./bench-bundle.mjs'] });

const ortNode = path.join(root, 'node_modules/onnxruntime-node');
const binary = 'bin/napi-v6/linux/x64';
for (const p of ['package.json', 'dist', `${binary}/onnxruntime_binding.node`]) cpSync(path.join(ortNode, p), path.join(out, 'node_modules/onnxruntime-node', p), { recursive: true });
const lib = `${binary}/libonnxruntime.so.1`;
writeFileSync(path.join(out, 'node_modules/onnxruntime-node', `${lib}.gz`), gzipSync(readFileSync(path.join(ortNode, lib)), { level: 9 }));
cpSync(path.join(root, 'node_modules/onnxruntime-common'), path.join(out, 'node_modules/onnxruntime-common'), { recursive: true });
for (const f of ['sd15-unet-config.json', 'torch_unet.py']) cpSync(path.join(here, f), path.join(out, f));
writeFileSync(path.join(out, 'README.md'),
  '# weights2weights benchmark (packed)\n\n`node bench.mjs --provider cpu,webgpu --models sd15 --out results.json` runs the bench with onnxruntime-node ' +
  '(CPU, and WebGPU on any Vulkan driver) and, where `python3` has torch, PyTorch; flags as in the repository\'s docs/benchmark.md. ' +
  'The tiny model needs `W2W_TINY_FIXTURE=<.../shared/fixtures/tiny-sd-a>`.\n');

const size = (p: string): number => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(path.join(p, f)), 0) : statSync(p).size);
const bytes = size(out);
if (bytes > MAX_BYTES) throw new Error(`bench:pack: ${out} holds ${bytes} bytes, over the ${MAX_BYTES} budget`);
console.log(`packed ${(bytes / 2 ** 20).toFixed(1)} MiB`);
console.log(out);
