// Where onnxruntime-node's WebGPU provider (Dawn over Vulkan) finds a driver on this machine: the system's
// Vulkan loader (a GPU, normally), or else Chromium's SwiftShader (a CPU fallback: correct, far too slow for
// the full-size model). No driver: the WebGPU rows say so.
import { existsSync } from 'node:fs';
import { SWIFTSHADER_VULKAN_ENV } from '../src/engine/runtime/node';

const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/usr/local/lib'];

export interface VulkanSetup {
  /** Variables for the child process (none with the system's loader). */
  env: Record<string, string>;
  /** SwiftShader: software rendering on the CPU. */
  software: boolean;
}

export function vulkanSetup(): VulkanSetup | undefined {
  if (LOADER_DIRS.some((d) => existsSync(`${d}/libvulkan.so.1`))) return { env: {}, software: false };
  if (existsSync(SWIFTSHADER_VULKAN_ENV.VK_ICD_FILENAMES)) return { env: SWIFTSHADER_VULKAN_ENV, software: true };
  return undefined;
}
