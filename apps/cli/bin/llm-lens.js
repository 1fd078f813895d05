#!/usr/bin/env node
import { disableAllocationSitePretenuring } from '@llm-lens/executor';
import { main } from '../dist/main.js';

// This process exists to generate load: see "Garbage collection" in the executor's README.
disableAllocationSitePretenuring();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // main() reports every error itself; this is for a failure outside it (a bug).
    process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 3;
  },
);
