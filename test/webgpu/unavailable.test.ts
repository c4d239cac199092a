import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerPlan } from '../../src/cli/train.js';
import { missingKernelError } from '../../src/deep/backend/missingKernel.js';
import { UserError } from '../../src/util/userError.js';
import { initBackend } from '../../src/deep/backend/initBackend.js';
import { describeAdapter, isSoftwareAdapter, probeAdapter, WebgpuUnavailableError, type AdapterInfo } from '../../src/deep/backend/webgpu.js';
import { runCli } from '../helpers/runCli.js';

// No adapter on any machine: the Vulkan loader is pointed at a driver manifest that does not exist.
const NO_DRIVER = '/nonexistent/mlnc-test-icd.json';
const root = mkdtempSync(join(tmpdir(), 'mlnc-webgpu-missing-'));
let savedIcd: string | undefined;
beforeAll(() => {
  savedIcd = process.env.VK_ICD_FILENAMES;
  process.env.VK_ICD_FILENAMES = NO_DRIVER;
});
afterAll(() => {
  if (savedIcd === undefined) delete process.env.VK_ICD_FILENAMES;
  else process.env.VK_ICD_FILENAMES = savedIcd;
  rmSync(root, { recursive: true, force: true });
});

describe('without a WebGPU adapter', () => {
  it('the adapter probe fails with one line that says why', async () => {
    const err = await probeAdapter({ ...process.env, VK_ICD_FILENAMES: NO_DRIVER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebgpuUnavailableError);
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).toMatch(/no WebGPU adapter|not installed/);
  });

  it('mlnc train --backend webgpu exits 2 with one line and writes nothing', async () => {
    const out = join(root, 'run');
    const r = await runCli(['train', '--backend', 'webgpu', '--out', out, '--epochs', '1']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mlnc: .*'webgpu'.*(no WebGPU adapter|not installed)/);
    expect(existsSync(join(out, 'config.json'))).toBe(false);
  });

  it('auto falls back past webgpu', async () => {
    const info = await initBackend('auto', { env: {} });
    expect(info.kind).not.toBe('webgpu');
    expect(info.adapter).toBeUndefined();
  });
});

describe('adapters and worker threads', () => {
  const software: AdapterInfo = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe: Mesa 25.0.7', fallback: true };
  const hardware: AdapterInfo = { vendor: 'nvidia', architecture: 'hopper', device: '0x2335', description: 'NVIDIA H200', fallback: false };

  it('a fallback adapter counts as software and says so; a GPU does not', () => {
    expect(isSoftwareAdapter(software)).toBe(true);
    expect(isSoftwareAdapter({ ...software, fallback: false })).toBe(true); // llvmpipe, whatever the flag says
    expect(isSoftwareAdapter(hardware)).toBe(false);
    expect(describeAdapter(software)).toBe('mesa software: llvmpipe: Mesa 25.0.7 (software fallback adapter)');
    expect(describeAdapter(hardware)).toBe('nvidia hopper: NVIDIA H200');
  });

  it('a kernel the backend lacks is one line that names it and the backend to use instead', () => {
    const e = missingKernelError(new Error("Kernel 'Foo' not registered for backend 'webgpu'"));
    expect(e).toBeInstanceOf(UserError);
    expect(e?.message).toBe('the webgpu backend has no Foo kernel, which this model needs; run it with --backend wasm (or cpu)');
    expect(missingKernelError(new Error('something else'))).toBeUndefined();
  });

  it('on webgpu a run trains in one process: --workers > 1 and resuming a data-parallel run are refused in one line', () => {
    expect(workerPlan(undefined, 'webgpu', undefined)).toEqual({ workers: 1, shards: 1 });
    expect(workerPlan('1', 'webgpu', 1)).toEqual({ workers: 1, shards: 1 });
    expect(() => workerPlan('2', 'webgpu', undefined)).toThrow(/worker threads are a CPU feature/);
    expect(() => workerPlan(undefined, 'webgpu', 4)).toThrow(/resume it with --backend wasm/);
  });
});
