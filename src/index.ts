/**
 * mlnc as a library: the neural-collapse metrics (`mlnc/geometry`), the multi-label UFM and its theory (`mlnc/ufm`),
 * and a reader for NumPy `.npy` files (`mlnc/io`), all re-exported here. Pure math apart from the `.npy` file access.
 */
export * from './geometry/index.js';
export * from './ufm/index.js';
export * from './io/index.js';
