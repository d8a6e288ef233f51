// `npm run bench`: onnxruntime-node (our engine) vs PyTorch eager on this CPU, each configuration in
// its own child process. Writes bench/results.json and the table in bench/RESULTS.md and docs/benchmark.md.
//   npm run bench -- [--models sd15,tiny] [--precisions fp32,fp16] [--tasks forward,grad,basis,invert_k1000,invert_k10000,search,search_all]
//     [--engines ort,torch] [--memory fast,low] [--runs N] [--threads T] [--ort JSON] [--out FILE] [--timeout-min M]
//     [--no-docs] [--torch-fp16-sd15] [--provider cpu,webgpu] [--torch-device cpu|cuda]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MODELS } from './models';
import { type CaseResult, type Measured, type Results, renderTable, updateDocs } from './report';
import { torchPython, torchVersion } from './torch-env';
import { vulkanSetup } from './vulkan';
import { isEntry, PACKED } from './entry';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Node's arguments for a case in a child process: its module under tsx, or the packed bundle's `--case`. */
const caseCommand = (name: 'ort-case' | 'basis-case' | 'search-case'): string[] =>
  PACKED ? ['--expose-gc', process.argv[1], '--case', name] : ['--expose-gc', '--import', 'tsx', path.join(here, `${name}.ts`)];

/** The whole benchmark (flags above): children per configuration, then the table. */
export async function runBench(argv: string[]): Promise<void> {
  const root = path.resolve(here, '..');
  const { values: a } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: 'tiny,sd15' },
      precisions: { type: 'string', default: 'fp32,fp16' },
      tasks: { type: 'string', default: 'forward,grad,basis,invert_k1000,invert_k10000,search,search_all' },
      engines: { type: 'string', default: 'ort,torch' },
      runs: { type: 'string' },
      threads: { type: 'string', default: '2' },
      ort: { type: 'string', default: '{}' },
      out: { type: 'string', default: path.join(here, 'results.json') },
      'timeout-min': { type: 'string', default: '20' },
      'no-docs': { type: 'boolean', default: false },
      memory: { type: 'string', default: 'fast,low' },
      'torch-fp16-sd15': { type: 'boolean', default: false },
      provider: { type: 'string', default: 'cpu' },
      'torch-device': { type: 'string', default: 'cpu' },
    },
  });
  const torchDevice = a['torch-device']!;

  const list = (s: string) => s.split(',').filter(Boolean);
  const engines = list(a.engines!);
  const providers = list(a.provider!);
  const vulkan = vulkanSetup();
  /** Timed runs after the warm-up: the full-size model takes minutes per configuration. */
  const runsFor = (model: string) => a.runs ?? (model === 'tiny' ? '5' : '1');

  const torch = engines.includes('torch') ? torchPython(path.join(here, 'out/venv')) : { unavailable: 'not requested' };
  const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

  /**
   * For both engines: glibc keeps large freed blocks in its heap once its mmap threshold has adapted upwards
   * (here up to 1.3 GB after a gradient step), so RSS would count memory no tensor holds any more.
   */
  const MALLOC = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };

  /** Runs one child; its last stdout line is its JSON result. */
  function child(cmd: string, args: string[], env: Record<string, string> = {}): Record<string, unknown> {
    const minutes = Number(a['timeout-min']);
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: minutes * 60_000, env: { ...process.env, ...MALLOC, ...env } });
    const last = r.stdout?.trim().split('\n').pop() ?? '';
    if (r.status === 0 && last.startsWith('{')) return JSON.parse(last);
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    const why = timedOut ? `no result within ${minutes} min` : r.error?.message ?? (r.signal ? `killed by ${r.signal}` : `exit ${r.status}`);
    const tail = (r.stderr ?? '').trim().split('\n').filter((l) => !/npm warn/.test(l)).slice(-3).join(' | ');
    return { error: `${why}${tail ? `: ${tail}` : ''}` };
  }

  const results: Results = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30) },
    threads: Number(a.threads),
    torch: 'python' in torch ? { version: torchVersion(torch.python) } : { unavailable: torch.unavailable },
    cases: [],
  };
  if ('python' in torch && list(a.models!).includes('tiny'))
    results.torchCheck = child(torch.python, [path.join(here, 'torch_unet.py'), 'check', '--model', path.dirname(path.dirname(MODELS.tiny.config))]);

  mkdirSync(path.dirname(a.out!), { recursive: true });
  /** Why our engine cannot run a case on WebGPU here, if it cannot. */
  function webgpuUnavailable(model: string): string | undefined {
    if (!vulkan) return 'no WebGPU adapter: no Vulkan driver on this machine';
    if (vulkan.software && model !== 'tiny') return 'no GPU adapter: only SwiftShader (a CPU fallback), far too slow for the full-size model';
  }

  /** One engine run in a child process, with the machine's load before it. */
  function measure(engine: string, model: string, precision: string, task: string, memoryMode?: string, provider = 'cpu'): Measured {
    const m = MODELS[model];
    const runs = runsFor(model);
    const loadBefore = load();
    process.stderr.write(`${model} ${precision} ${task} ${engine}${memoryMode ? ` ${memoryMode}` : ''} ${provider} (load ${loadBefore.join(' ')}) … `);
    const unavailable = provider === 'webgpu' ? webgpuUnavailable(model) : undefined;
    const r =
      unavailable ? { error: unavailable }
      : engine === 'ort' && task.startsWith('search')
        ? child(process.execPath, [...caseCommand('search-case'), ...(task === 'search_all' ? ['--where', ''] : [])])
      : engine === 'ort' && task === 'basis'
        ? child(process.execPath, [...caseCommand('basis-case'), '--model', model, '--runs', runs,
            '--threads', a.threads!, '--provider', provider], provider === 'webgpu' ? vulkan!.env : {})
      : engine === 'ort'
        ? child(process.execPath, [...caseCommand('ort-case'), '--model', model,
            '--precision', precision, '--task', task, '--runs', runs, '--threads', a.threads!, '--ort', a.ort!, '--memory', memoryMode!,
            '--provider', provider], provider === 'webgpu' ? vulkan!.env : {})
        : 'python' in torch
          ? child(torch.python, [path.join(here, 'torch_unet.py'), 'run', '--config', m.config,
              ...(m.weights ? ['--weights', m.weights] : []), '--precision', precision, '--task', task,
              '--runs', runs, '--threads', a.threads!, '--device', torchDevice])
          : { error: `unavailable: ${torch.unavailable}` };
    r.load = [loadBefore, load()];
    process.stderr.write(`${r.error ? String(r.error) : `${Math.round(Math.min(...(r.times_ms as number[])))} ms`}\n`);
    return r;
  }

  for (const model of list(a.models!))
    for (const precision of list(a.precisions!))
      for (const task of list(a.tasks!)) {
        // PyTorch once per configuration; our engine once per memory mode, each a row against it.
        // PyTorch's float16 CPU kernels did not finish one full-size forward in 20 min (2026-11-23): skipped
        // unless asked for, rather than waiting out the timeout twice.
        const slowTorch = model === 'sd15' && precision === 'fp16' && !a['torch-fp16-sd15'];
        // The basis products have no PyTorch counterpart here, nor fp16 or memory-mode variants.
        if (task === 'basis' && (precision !== 'fp32')) continue;
        // The training identities search is plain JS over a synthetic proj, the same for every model and precision: one row each.
        const search = task.startsWith('search');
        if (search && (precision !== 'fp32' || model !== list(a.models!)[0])) continue;
        // Inversion steps on the CPU: fp32 only (fp16 compute on a CPU is slow for both engines).
        const cpuOnlyFp32 = (provider: string) => task.startsWith('invert') && precision !== 'fp32' && provider === 'cpu';
        if (providers.every(cpuOnlyFp32)) continue;
        // PyTorch runs where --torch-device says: beside our CPU rows, or (cuda) beside our WebGPU rows.
        const torchProvider = torchDevice === 'cpu' ? 'cpu' : 'webgpu';
        const theirs = !engines.includes('torch') || !providers.includes(torchProvider) || task === 'basis' || search ? undefined
          : slowTorch ? { error: 'not run: PyTorch float16 on CPU took > 20 min per forward (pass --torch-fp16-sd15)' }
          : measure('torch', model, precision, task);
        for (const provider of providers) {
          if (cpuOnlyFp32(provider) || (search && provider !== 'cpu')) continue;
          // The memory modes are the CPU provider's; on WebGPU the weights are held once either way.
          for (const memoryMode of engines.includes('ort') && provider === 'cpu' && (task === 'forward' || task === 'grad') ? list(a.memory!) : ['fast']) {
            const c: CaseResult = { model, precision, task, memory: memoryMode, provider, torch: provider === torchProvider ? theirs : undefined };
            results.cases.push(c);
            if (engines.includes('ort')) c.ort = measure('ort', model, precision, task, memoryMode, provider);
            writeFileSync(a.out!, JSON.stringify(results, null, 2) + '\n');
          }
        }
      }

  const table = renderTable(results);
  console.log(table);
  if (!a['no-docs']) updateDocs(root, results, table);
}

if (isEntry(import.meta.url)) await runBench(process.argv.slice(2));
