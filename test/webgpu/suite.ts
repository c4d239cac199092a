import { probeAdapter, type AdapterInfo } from '../../src/deep/backend/webgpu.js';

/** What .ci/run exports (through .ci/webgpu-driver.sh) after it has prepared a software Vulkan driver. */
export const WEBGPU_TESTS_REQUIRED = process.env.MLNC_WEBGPU_TESTS === 'require';

/**
 * Whether this machine can run the webgpu suite, and on which adapter.
 *
 * - Under .ci/run (MLNC_WEBGPU_TESTS=require) the suite must run: a missing adapter throws, and the test file fails.
 * - Elsewhere, a machine with an adapter (a GPU with its Vulkan driver, or the driver .ci/webgpu-driver.sh prepares)
 *   runs the suite; one without reports it as not applicable, in one line and one skipped test that names the reason.
 *   A plain `npm test` on a machine without Vulkan has then not tested the webgpu path, and says so.
 */
export async function webgpuSuite(): Promise<{ adapter?: AdapterInfo; notApplicable?: string }> {
  try {
    return { adapter: await probeAdapter() };
  } catch (err) {
    const reason = (err as Error).message;
    if (WEBGPU_TESTS_REQUIRED) throw new Error(`MLNC_WEBGPU_TESTS=require, but ${reason}`);
    const line = `webgpu suite not applicable here: ${reason}. Run it with: source .ci/webgpu-driver.sh && npm test`;
    console.warn(line);
    return { notApplicable: line };
  }
}
