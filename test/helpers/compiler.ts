import { spawnSync } from 'node:child_process';

/** Whether the C++ compiler that native/build.mjs uses is present: where it is, the native addon must be built. */
export const compilerPresent = spawnSync(process.env.CXX || 'g++', ['--version']).status === 0;
