/**
 * Zero-copy Identity (and Cast to the same dtype, which tf.moments and tfjs-layers do on float32 activations) for the wasm backend: share the input's buffer and bump its reference count, as the cpu
 * backend does (the stock wasm kernel mallocs and copies). A training step of the reference net calls Identity
 * ~330 times, mostly on full activations (tf.clone, cast-to-same-dtype and their gradients). Safe because wasm
 * kernels never write into their inputs, and the backend already shares buffers this way for Reshape.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

export function makeZeroCopyIdentityKernel(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string') {
      if (stock === undefined) throw new Error('wasm Identity: no stock kernel for string tensors');
      return stock(args);
    }
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Cast: shares the buffer when the dtype does not change (the stock wasm Cast always copies), stock otherwise. */
export function makeZeroCopyCastKernel(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
    if (x.dtype !== dtype || x.dtype === 'string') {
      if (stock === undefined) throw new Error('wasm Cast: no stock kernel');
      return stock(args);
    }
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
