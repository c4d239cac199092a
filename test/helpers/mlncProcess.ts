import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (npm test builds before vitest runs). */
export const MLNC_BIN = join(import.meta.dirname, '../../dist/src/cli/bin.js');

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface MlncProcess {
  child: ChildProcess;
  done: Promise<ProcessResult>;
}

/** Starts `mlnc ARGS` as a separate process (a second writer must be another process, not the same one). */
export function startMlnc(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean } = {}): MlncProcess {
  const child = spawn(process.execPath, [MLNC_BIN, ...args], {
    cwd: opts.cwd, env: opts.env ?? process.env, detached: opts.detached, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const done = new Promise<ProcessResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export async function runMlnc(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return startMlnc(args, opts).done;
}

/** Polls `check` every `everyMs` until it returns true, or fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
