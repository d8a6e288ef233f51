// Reading an inputs safetensors tensor as the engine's HostTensor (int64 for integer keys, else float32).
import type { SafetensorsFile } from '../engine/io/safetensors';
import type { HostTensor } from '../engine/runtime/tensor';

export async function readInput(file: SafetensorsFile, key: string): Promise<HostTensor> {
  const { dtype, shape } = file.info(key);
  if (dtype === 'I64' || dtype === 'I32') return { dtype: 'int64', shape, data: await file.readInt64(key) };
  return { dtype: 'float32', shape, data: await file.readFloat32(key) };
}
