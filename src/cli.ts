#!/usr/bin/env node
import { main } from './cli/main.js';

// exitCode rather than exit(): stdout piped to another program is flushed before the process ends.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
