// Building a space from the user's LoRAs (Library screen): the space worker reads the picked files pass by
// pass, stores the result and makes it current (as an import does); the page keeps its progress, the
// explained-variance curve and the files to download.
import { create } from 'zustand';
import type { BuildProgress, BuiltSpaceResult } from '../../../workers/protocol';
import { errorMessage } from '../errors';
import { Comlink, spaceWorker } from '../workers';
import { spaceReady } from './space';

export interface BuildState {
  phase: 'idle' | 'building' | 'done' | 'cancelled' | 'error';
  progress?: BuildProgress;
  result?: BuiltSpaceResult;
  error?: string;
  /** Cancel was pressed: the worker stops at its next block, then the build rejects. */
  cancelling?: boolean;
}

export const useBuild = create<BuildState>(() => ({ phase: 'idle' }));

const onProgress = Comlink.proxy((progress: BuildProgress) => useBuild.getState().phase === 'building' && useBuild.setState({ progress }));

/** Builds from `files` (keyed by path under the picked folder, or bare names) with an optional labels CSV. */
export async function buildSpaceFromFiles(files: Map<string, File>, name: string, components: number, labels?: File): Promise<void> {
  useBuild.setState({ phase: 'building', progress: undefined, result: undefined, error: undefined, cancelling: false });
  try {
    const labelsCsv = labels && { name: labels.name, text: await labels.text() };
    const result = await spaceWorker().buildFromFiles(files, name, { components, labelsCsv }, onProgress);
    useBuild.setState({ phase: 'done', result });
    await spaceReady(result.summary);
  } catch (e) {
    if (useBuild.getState().cancelling) useBuild.setState({ phase: 'cancelled', progress: undefined });
    else useBuild.setState({ phase: 'error', error: errorMessage(e) });
  }
}

export function cancelBuild(): void {
  useBuild.setState({ cancelling: true });
  void spaceWorker().cancelBuild();
}
