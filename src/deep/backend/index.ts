/** Public surface of the backend module: backend selection, the wasm training kernels, the reference net. */
export { initBackend, BackendError, BACKEND_PREFERENCES, AUTO_ORDER, describeBackend, wasmBinaryDir } from './initBackend.js';
export { describeAdapter, isSoftwareAdapter, probeAdapter, WebgpuUnavailableError } from './webgpu.js';
export type { AdapterInfo } from './webgpu.js';
export type { BackendPreference, BackendInfo, InitBackendOptions } from './initBackend.js';
export { registerWasmTrainingKernels } from './registerWasmTrainingKernels.js';
export type { WasmKernelOptions } from './registerWasmTrainingKernels.js';
export type { FilterGradRoute } from './conv2dBackpropFilter.js';
export type { InputGradRoute } from './conv2dBackpropInput.js';
export { buildReferenceNet, REFERENCE_NET_PARAMS, REFERENCE_NET_TRAINABLE_PARAMS } from './referenceNet.js';
export type { ReferenceNetOptions } from './referenceNet.js';
