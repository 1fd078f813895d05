#!/usr/bin/env node
import {
  capYoungGeneration,
  disableAllocationSitePretenuring,
  keepWebAssemblyOnBaselineCompiler,
  limitHeapGrowth,
} from '@llm-lens/executor';

// This process exists to generate load: see "Garbage collection" and "Memory" in the
// executor's README. Set before main.js is imported, so before any connection compiles
// undici's WebAssembly parser.
disableAllocationSitePretenuring();
limitHeapGrowth();
keepWebAssemblyOnBaselineCompiler();
capYoungGeneration();

// Piped into `head`, the reader may leave early: that ends the output, not with a crash.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await import('../dist/main.js');

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
