/**
 * The PyTorch peer of bench/train.ts: a python3 child running bench/torchPeer.py, which trains the same networks
 * with the same step in PyTorch on the CPU. It stays alive between requests (sleeping on stdin), so its timings
 * interleave with mlnc's configurations in the same rounds.
 *
 * The python is $MLNC_TORCH_PYTHON when set, otherwise the first of python3 on PATH and /usr/bin/python3 (Debian's
 * python3-torch) that can import torch; with none, `startTorchPeer` returns why, and the benchmark says that it
 * skipped the peer.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type PeerNet = 'reference' | 'resnet18';

export interface TorchPeer {
  /** e.g. '1.13.0a0, 2 threads, /usr/bin/python3' */
  readonly description: string;
  /** Wall seconds of `steps` training steps of `net`, and that net's trainable-parameter count. */
  run(net: PeerNet, steps: number): Promise<{ seconds: number; trainableParams: number }>;
  close(): Promise<void>;
}

// bench/torchPeer.py, from bench/ (vitest, tsx) or dist/bench/ (built).
const SCRIPT = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../bench/torchPeer.py' : './torchPeer.py', import.meta.url));

function torchPython(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = env.MLNC_TORCH_PYTHON ? [env.MLNC_TORCH_PYTHON] : ['python3', '/usr/bin/python3'];
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

export async function startTorchPeer(threads: number, env: NodeJS.ProcessEnv = process.env): Promise<TorchPeer | { skipped: string }> {
  const python = torchPython(env);
  if (python === undefined) {
    const tried = env.MLNC_TORCH_PYTHON ? `MLNC_TORCH_PYTHON=${env.MLNC_TORCH_PYTHON} cannot import torch` : 'no python3 can import torch';
    return { skipped: `${tried} (apt-get install python3-torch, or set MLNC_TORCH_PYTHON)` };
  }
  // The peer gets exactly `threads` compute threads, whatever OMP/MKL variables the caller's shell has.
  const child: ChildProcessWithoutNullStreams = spawn(python, [SCRIPT, String(threads)], {
    env: { ...env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: Interface = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await iterator.next();
    if (r.done) throw new Error(`the PyTorch peer (${python}) exited: ${stderr.trim().split('\n').pop() ?? ''}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const ready = await next();
  return {
    description: `PyTorch ${String(ready.torch)}, ${String(ready.threads)} threads, ${python}`,
    async run(net, steps) {
      child.stdin.write(`${JSON.stringify({ net, steps })}\n`);
      const r = await next();
      return { seconds: r.seconds as number, trainableParams: r.trainableParams as number };
    },
    async close() {
      const exited = child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
      lines.close();
    },
  };
}
