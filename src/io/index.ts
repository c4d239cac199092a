/** The library's file formats: NumPy `.npy` arrays in and out (the CLI's own run files are not part of it). */
export * from './npy.js';
