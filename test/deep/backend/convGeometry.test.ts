import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONV_GEOMETRY_FIELDS, convGeometry, geometryArray } from '../../../src/deep/backend/convGeometry.js';
import { loadNativeKernels } from '../../../src/deep/backend/nativeKernels.js';
import type { NativeKernels } from '../../../src/deep/backend/nativeKernels.js';
import { compilerPresent } from '../../helpers/compiler.js';

/** The names of native/conv.h's MLNC_CONV_GEOMETRY_FIELDS X-list, in order, read from the source text. */
function headerFields(): string[] {
  const text = readFileSync(new URL('../../../native/conv.h', import.meta.url), 'utf8');
  const start = text.indexOf('#define MLNC_CONV_GEOMETRY_FIELDS(X)');
  expect(start).toBeGreaterThanOrEqual(0);
  // The macro body runs over backslash-continued lines.
  const lines: string[] = [];
  for (const line of text.slice(start).split('\n')) {
    lines.push(line);
    if (!line.trimEnd().endsWith('\\')) break;
  }
  return [...lines.join('\n').matchAll(/X\((\w+),\s*\d+\)/g)].map((m) => m[1]);
}

describe('the conv geometry contract between TypeScript and the native addon', () => {
  it('native/conv.h declares the fields of CONV_GEOMETRY_FIELDS in the same order', () => {
    expect(headerFields()).toEqual([...CONV_GEOMETRY_FIELDS]);
  });

  it.runIf(compilerPresent)('the built addon reads the fields of CONV_GEOMETRY_FIELDS in the same order', () => {
    const native = loadNativeKernels({}).kernels as NativeKernels;
    expect(native.convGeometryFields()).toEqual([...CONV_GEOMETRY_FIELDS]);
  });

  it.runIf(compilerPresent)('the addon names the offending field when one is out of range', () => {
    const native = loadNativeKernels({}).kernels as NativeKernels;
    const g = { batch: 1, inH: 4, inW: 4, inC: 2, outH: 4, outW: 4, outC: 3, fH: 3, fW: 3, sH: 1, sW: 1, padTop: 1, padLeft: 1 };
    const run = (geometry: Int32Array) => native.conv2d(new Float32Array(32), new Float32Array(54), null, 0, new Float32Array(48), geometry);
    expect(() => run(geometryArray(g))).not.toThrow();
    for (const [field, bad] of [['inC', 0], ['sW', 0], ['padLeft', -1]] as const) {
      expect(() => run(geometryArray({ ...g, [field]: bad }))).toThrow(new RegExp(`geometry field ${field} must be at least`));
    }
  });

  it('geometryArray lays a geometry out in CONV_GEOMETRY_FIELDS order', () => {
    const g = convGeometry([2, 9, 7, 3], [3, 1, 3, 5], [2, 1], 'same', 'floor', 'NHWC');
    expect(Array.from(geometryArray(g))).toEqual(CONV_GEOMETRY_FIELDS.map((f) => g[f]));
    expect(g).toMatchObject({ batch: 2, inH: 9, inW: 7, inC: 3, outH: 5, outW: 7, outC: 5, fH: 3, fW: 1, sH: 2, sW: 1 });
  });
});
