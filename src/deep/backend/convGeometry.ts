/**
 * The shape of one dilation-1 NHWC convolution, as every conv kernel (pure wasm and native) sees it, and its
 * marshalling to the native addon.
 *
 * The addon receives the geometry as an Int32Array of CONV_GEOMETRY_FIELDS.length integers in the order of
 * CONV_GEOMETRY_FIELDS. The C++ side declares the same names in the same order once, in the X-list
 * MLNC_CONV_GEOMETRY_FIELDS of native/conv.h, and the addon reports that list (convGeometryFields()); the contract
 * test (test/deep/backend/convGeometry.test.ts) checks that both lists agree. native/README.md describes the contract.
 */
import * as tf from '@tensorflow/tfjs';

/** The fields, in the order the native addon reads them. */
export const CONV_GEOMETRY_FIELDS = [
  'batch', 'inH', 'inW', 'inC', 'outH', 'outW', 'outC', 'fH', 'fW', 'sH', 'sW', 'padTop', 'padLeft',
] as const;

export type ConvGeometryField = (typeof CONV_GEOMETRY_FIELDS)[number];

/** Batch, input and output sizes, filter size, strides, and the top/left padding (bottom/right follow from them). */
export type ConvGeometry = Record<ConvGeometryField, number>;

/** Shapes and padding of a dilation-1 NHWC conv, via tfjs's own conv-info helper (same 'same'/'valid' rules). */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: tf.NamedAttrMap[string],
  dimRoundingMode: tf.NamedAttrMap[string],
  dataFormat: tf.NamedAttrMap[string],
): ConvGeometry {
  if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`wasm conv gradient kernels support only NHWC data, got dataFormat '${String(dataFormat)}'`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as 'same' | 'valid' | number,
    (dimRoundingMode ?? undefined) as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** The geometry as the addon reads it: its fields in CONV_GEOMETRY_FIELDS order. */
export function geometryArray(g: ConvGeometry): Int32Array {
  return Int32Array.from(CONV_GEOMETRY_FIELDS, (f) => g[f]);
}
