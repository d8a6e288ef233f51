// Where models come from: the Hugging Face hub by default, or a mirror in the same
// `/<repo>/resolve/main/<path>` layout. Query parameters win over saved settings:
// `?hub=URL&model=owner/repo&space=owner/repo/folder&backend=webgpu|wasm`.
import type { Provider } from '../engine/runtime/web';
import { parseProvider } from '../engine/runtime/web';

export interface Sources {
  hub: string;
  /** Diffusers model repo. */
  model: string;
  /** w2w space files: repo plus folder ("snap-research/weights2weights/files"). */
  space: string;
}

export const DEFAULT_SOURCES: Sources = {
  hub: 'https://huggingface.co',
  model: 'stablediffusionapi/realistic-vision-v51',
  space: 'snap-research/weights2weights/files',
};

const KEY = 'w2w-sources';

export function savedSources(): Partial<Sources> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Sources>;
  } catch {
    return {};
  }
}

export function saveSources(s: Sources): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

/** Defaults, then saved settings, then the query string (`repo` is accepted for `model`, as on the conformance page). */
export function initialSources(search = location.search): Sources {
  const q = new URLSearchParams(search);
  const pick = (...names: string[]) => names.map((n) => q.get(n)).find((v) => v) ?? undefined;
  const saved = savedSources();
  return {
    hub: pick('hub') ?? saved.hub ?? DEFAULT_SOURCES.hub,
    model: pick('model', 'repo') ?? saved.model ?? DEFAULT_SOURCES.model,
    space: pick('space') ?? saved.space ?? DEFAULT_SOURCES.space,
  };
}

/** The "auto" precision: fp16 weights (half the memory) where WebGPU has shader-f16, else fp32. */
export const autoPrecision = (p: { provider: Provider; shaderF16: boolean }): 'fp32' | 'fp16' =>
  p.provider === 'webgpu' && p.shaderF16 ? 'fp16' : 'fp32';

/** The benchmark page (bench.html) on the model of `s`, at the precision the app loaded it with. */
export function benchUrl(s: Sources, precision: 'fp32' | 'fp16'): string {
  return `bench.html?${new URLSearchParams({ hub: s.hub, model: s.model, precision })}`;
}

export function forcedBackend(search = location.search): Provider | undefined {
  return parseProvider(new URLSearchParams(search).get('backend'));
}

/** "owner/repo/some/folder" → the repo and the folder inside it. */
export function splitRepoPath(spec: string): { repo: string; folder: string } {
  const parts = spec.replace(/^\/+|\/+$/g, '').split('/');
  if (parts.length < 2 || parts.some((p) => !p)) throw new Error(`bad repo path ${JSON.stringify(spec)}: expected owner/repo[/folder]`);
  return { repo: parts.slice(0, 2).join('/'), folder: parts.slice(2).join('/') };
}
