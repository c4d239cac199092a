/** Public surface of the backend module: backend selection, the wasm training kernels. */
export { initBackend, BackendError, BACKEND_PREFERENCES, wasmBinaryDir } from './initBackend.js';
export type { BackendPreference, BackendInfo, InitBackendOptions } from './initBackend.js';
export { registerWasmTrainingKernels } from './registerWasmTrainingKernels.js';
export type { WasmKernelOptions } from './registerWasmTrainingKernels.js';
export type { FilterGradRoute } from './conv2dBackpropFilter.js';
export type { InputGradRoute } from './conv2dBackpropInput.js';
