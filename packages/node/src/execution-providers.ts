import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';

/** Execution providers of onnxruntime-node by name (`'cpu'` always works). */
export type NodeExecutionProviderName = 'cpu' | 'cuda' | 'tensorrt' | 'dml' | 'coreml' | 'webgpu';

/** An execution provider by name, or with its options (e.g. `{ name: 'cuda', deviceId: 1 }`). */
export type NodeExecutionProvider = NodeExecutionProviderName | InferenceSession.ExecutionProviderConfig;

/** The name of an execution provider given by name or with options. */
export function executionProviderName(provider: NodeExecutionProvider): string {
  return typeof provider === 'string' ? provider : provider.name;
}

/**
 * Shared libraries that onnxruntime-node loads for providers it does not bundle. Its
 * install script fetches the CUDA ones (which also hold the TensorRT provider) on
 * Linux x64 only; when they are absent, asking for the provider fails at session creation.
 */
const PROVIDER_LIBRARIES: Partial<Record<NodeJS.Platform, Record<string, string>>> = {
  linux: { cuda: 'libonnxruntime_providers_cuda.so', tensorrt: 'libonnxruntime_providers_tensorrt.so' },
  win32: { cuda: 'onnxruntime_providers_cuda.dll', tensorrt: 'onnxruntime_providers_tensorrt.dll' },
};

/** Folder of onnxruntime-node's native binding for this platform, or undefined when it cannot be found. */
function bindingDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** True when onnxruntime-node's binaries for `provider` are installed (the CPU provider always is). */
export function hasProviderBinaries(provider: 'cuda' | 'tensorrt'): boolean {
  const file = PROVIDER_LIBRARIES[process.platform]?.[provider];
  const dir = bindingDir();
  return file !== undefined && dir !== undefined && existsSync(join(dir, file));
}

/**
 * Why `provider` cannot work here when that is known without trying (onnxruntime-node's
 * binaries for it are not installed), else `undefined`.
 */
export function missingProviderReason(provider: string): string | undefined {
  if (provider !== 'cuda' && provider !== 'tensorrt') return undefined;
  const file = PROVIDER_LIBRARIES[process.platform]?.[provider];
  const dir = bindingDir();
  if (file === undefined || dir === undefined || existsSync(join(dir, file))) return undefined;
  return `onnxruntime-node's ${provider} binaries are not installed (no ${file} in ${dir})`;
}

/**
 * The providers tried when none are given: `'cuda'` when onnxruntime-node's CUDA
 * binaries are installed, then `'cpu'`. TensorRT is left to an explicit request:
 * it needs a separate TensorRT install and builds an engine for minutes when a session
 * is created, and where it works CUDA works too.
 */
export function defaultExecutionProviders(): NodeExecutionProviderName[] {
  return hasProviderBinaries('cuda') ? ['cuda', 'cpu'] : ['cpu'];
}
