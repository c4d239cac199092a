/** Public surface of the backend module: backend selection (webgpu included), the wasm training kernels. */
export { initBackend, BackendError, BACKEND_PREFERENCES, describeBackend, wasmBinaryDir } from './initBackend.js';
export { describeAdapter, isSoftwareAdapter, probeAdapter, WebgpuUnavailableError } from './webgpu.js';
export type { AdapterInfo } from './webgpu.js';
export type { BackendPreference, BackendInfo, InitBackendOptions } from './initBackend.js';
export { registerWasmTrainingKernels } from './registerWasmTrainingKernels.js';
export type { WasmKernelOptions } from './registerWasmTrainingKernels.js';
export type { FilterGradRoute } from './conv2dBackpropFilter.js';
export type { InputGradRoute } from './conv2dBackpropInput.js';
