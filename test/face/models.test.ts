// Face model files that cannot be read or are corrupt: the error names the file.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACE_MODEL_DIR, faceRuntimeNode } from '../../src/cli/face-node';
import { FACE_MODEL_FILES, loadFaceModels } from '../../src/engine/face/models';

const fromDisk = (name: string) => readFile(join(FACE_MODEL_DIR, name));

describe('loadFaceModels', () => {
  it('lists the three nets\' manifests and shards, all present in the package', async () => {
    expect(FACE_MODEL_FILES).toEqual([
      'tiny_face_detector_model-weights_manifest.json', 'tiny_face_detector_model.bin',
      'face_landmark_68_model-weights_manifest.json', 'face_landmark_68_model.bin',
      'face_recognition_model-weights_manifest.json', 'face_recognition_model.bin',
    ]);
    for (const f of FACE_MODEL_FILES) expect((await fromDisk(f)).length).toBeGreaterThan(1000);
  });

  it('a missing file, a truncated shard and a manifest that is not one each name the file', async () => {
    const api = await faceRuntimeNode();
    const missing = (name: string) => (name === 'face_landmark_68_model.bin' ? Promise.reject(new Error('not in the cache')) : fromDisk(name));
    await expect(loadFaceModels(api, missing)).rejects.toThrow('face model file face_landmark_68_model.bin: cannot be read (not in the cache)');
    const truncated = async (name: string) => (name === 'face_recognition_model.bin' ? (await fromDisk(name)).subarray(0, 1000) : fromDisk(name));
    await expect(loadFaceModels(api, truncated)).rejects.toThrow(/^face model file face_recognition_model\.bin: corrupt/);
    const garbled = async (name: string) => (name === 'tiny_face_detector_model-weights_manifest.json' ? new TextEncoder().encode('{"a":1}') : fromDisk(name));
    await expect(loadFaceModels(api, garbled)).rejects.toThrow('face model file tiny_face_detector_model-weights_manifest.json: not a weights manifest');
  });
});
