/**
 * The GPU check of issue 15 (bench/gpu-check.sh runs it): on a machine with a GPU and its Vulkan driver,
 *   1. the WebGPU adapter Dawn offers (a software one fails the check unless --allow-software);
 *   2. the trajectory check: four SGD steps of a BatchNorm ResNet on webgpu against the cpu backend, to float32 tolerance;
 *   3. images/s of ResNet18 training steps at 56×56×1 and 32×32×3, batch 128, and beside them PyTorch on CUDA where a
 *      python3 with CUDA torch is there (bench/gpuCheckTorch.py; the issue's target is within 3× of it);
 *   4. one epoch of the paper preset: `mlnc train --preset paper --arch resnet18 --batch-size 128 --epochs 1
 *      --backend webgpu` as a user runs it, its epoch seconds and training images/s from metrics.jsonl.
 * Prints one line per result, then ONE JSON line last, also written to --json FILE when given.
 * Usage: node dist/bench/gpuCheck.js [--allow-software] [--steps N] [--preset paper|small] [--skip-epoch] [--json FILE]
 *   [--batch B] [--arch A] (defaults: the issue's batch 128 and ResNet18; smaller ones dry-run the flow on a software adapter)
 *   (MLNC_TORCH_PYTHON picks the python for the PyTorch peer; default python3)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '../src/io/atomicWrite.js';
import { initBackend } from '../src/deep/backend/initBackend.js';
import { compareTrajectories, stepTrajectory } from '../src/deep/train/stepTrajectory.js';
import { describeAdapter, isSoftwareAdapter, probeAdapter, type AdapterInfo } from '../src/deep/backend/webgpu.js';
import { resnet18ImagesPerSecond } from './webgpu.js';

const CLI = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
// bench/gpuCheckTorch.py, from dist/bench/ (built) or bench/ (run from source).
const TORCH_PEER = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../bench/gpuCheckTorch.py' : './gpuCheckTorch.py', import.meta.url));

/** PyTorch on CUDA at the same setting: images/s, or why it was not measured. */
function torchCuda(shape: [number, number, number], batch: number, steps: number): { imagesPerSecond?: number; device?: string; skipped?: string } {
  const python = process.env.MLNC_TORCH_PYTHON || 'python3';
  const r = spawnSync(python, [TORCH_PEER, String(shape[2]), String(shape[0]), String(shape[1]), String(batch), String(steps)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { skipped: `${python} ${TORCH_PEER} failed: ${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}`}` };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as { imagesPerSecond?: number; skipped?: string };
  } catch {
    return { skipped: `unreadable answer from ${TORCH_PEER}` };
  }
}

/** `mlnc train` in a child process, as a user runs it; resolves with its exit code (its output goes to ours). */
function mlnc(args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'allow-software': { type: 'boolean', default: false },
      steps: { type: 'string', default: '10' },
      preset: { type: 'string', default: 'paper' },
      'skip-epoch': { type: 'boolean', default: false },
      json: { type: 'string' },
      batch: { type: 'string', default: '128' },
      arch: { type: 'string', default: 'resnet18' },
    },
  });
  const report: Record<string, unknown> = {};
  const finish = (code: number) => {
    report.passed = code === 0;
    const line = JSON.stringify(report);
    console.log(line);
    if (values.json) writeJsonAtomic(values.json, report);
    return code;
  };

  let adapter: AdapterInfo;
  try {
    adapter = await probeAdapter();
  } catch (err) {
    report.error = (err as Error).message;
    console.log(`adapter: none — ${report.error}`);
    console.log('  (an NVIDIA GPU needs its Vulkan ICD: nvidia_icd.json from the driver; in a container, NVIDIA_DRIVER_CAPABILITIES must include graphics)');
    return finish(1);
  }
  report.adapter = adapter;
  console.log(`adapter: ${describeAdapter(adapter)}`);
  if (isSoftwareAdapter(adapter) && !values['allow-software']) {
    report.error = 'only a software adapter: the GPU\'s Vulkan driver is missing (or pass --allow-software to check the flow)';
    console.log(`  ${report.error}`);
    return finish(1);
  }

  await initBackend('cpu');
  const ref = await stepTrajectory(4);
  await initBackend('webgpu');
  const trajectory = compareTrajectories(await stepTrajectory(4), ref);
  report.trajectory = trajectory;
  console.log(
    `trajectory vs cpu (4 SGD steps, BatchNorm ResNet): max |Δloss| ${trajectory.maxLossDifference.toExponential(2)}, ` +
      `max relative |Δw| ${trajectory.maxWeightDifference.toExponential(2)} — ${trajectory.withinTolerance ? 'within float32 tolerance' : `MISMATCH: ${trajectory.firstMismatch}`}`,
  );

  const steps = Number(values.steps);
  const batch = Number(values.batch);
  const throughput: Record<string, { webgpu: number; pytorchCuda?: number; ratioToPytorch?: number; pytorch?: string }> = {};
  if (!(Number.isInteger(steps) && steps > 0 && Number.isInteger(batch) && batch > 0)) {
    report.error = '--steps and --batch must be positive integers';
    console.log(report.error);
    return finish(2);
  }
  for (const shape of [[56, 56, 1], [32, 32, 3]] as [number, number, number][]) {
    const webgpu = await resnet18ImagesPerSecond(shape, batch, steps);
    const torch = torchCuda(shape, batch, steps);
    const row = (throughput[shape.join('x')] = { webgpu });
    const peer = torch.imagesPerSecond === undefined
      ? `PyTorch on CUDA not measured: ${torch.skipped}`
      : `PyTorch on CUDA (${torch.device}) ${torch.imagesPerSecond.toFixed(1)} images/s, webgpu ×${(webgpu / torch.imagesPerSecond).toFixed(3)} of it`;
    if (torch.imagesPerSecond !== undefined) Object.assign(row, { pytorchCuda: torch.imagesPerSecond, ratioToPytorch: webgpu / torch.imagesPerSecond });
    else Object.assign(row, { pytorch: torch.skipped });
    console.log(`ResNet18 ${shape.join('×')} batch ${batch}: webgpu ${webgpu.toPrecision(4)} images/s (${steps} steps after 2 warm-up steps); ${peer}`);
  }
  report.resnet18 = { batch, imagesPerSecond: throughput };

  if (!values['skip-epoch']) {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-gpu-check-'));
    try {
      const args = ['train', '--dataset', 'mlab-mnist', '--preset', values.preset as string, '--arch', values.arch as string, '--batch-size', String(batch),
        '--epochs', '1', '--backend', 'webgpu', '--out', join(dir, 'run')];
      console.log(`one epoch: mlnc ${args.join(' ')}`);
      const t0 = performance.now();
      const code = await mlnc(args);
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) {
        report.error = `mlnc train exited with ${code}`;
        return finish(1);
      }
      const lines = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
      const e1 = lines.find((l) => l.epoch === 1);
      report.epoch = {
        preset: values.preset, arch: values.arch, batch, seconds: e1?.seconds, trainImagesPerSecond: e1?.imagesPerSecond, epoch0NcSeconds: lines[0]?.seconds, wallSeconds: wall,
      };
      console.log(`one epoch of the ${values.preset} preset: ${e1?.seconds?.toFixed(1)} s (training at ${e1?.imagesPerSecond?.toFixed(1)} images/s, NC metrics included); the whole command ${wall.toFixed(1)} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return finish(trajectory.withinTolerance ? 0 : 1);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
