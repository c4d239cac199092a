#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // An internal bug, not a usage error: keep the stack, it is what a bug report needs.
    console.error(err);
    process.exitCode = 1;
  },
);
