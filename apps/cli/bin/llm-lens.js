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
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
