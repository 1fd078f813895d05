import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring in this process, for a process whose job is to
 * generate load.
 *
 * V8 watches each object-literal site and, when nearly every object from it is still alive
 * at a young-generation GC, allocates that site's objects straight into the old generation
 * from then on. A load generator fools that heuristic: with dozens of requests in flight,
 * the objects some sites allocate per request can all be alive at the moment of one GC
 * (`--trace-pretenuring-statistics` showed six sites tenured at 100 % survival in a
 * non-streaming run), and from then on those short-lived objects fill the old generation
 * and are freed only by full mark-compacts.
 * Non-streaming at 64 in flight this costs about 15 % of the client's CPU per request
 * (see "Garbage collection" in the package README). The CLI calls this at startup; a
 * library user whose process does little else but run benchmarks can do the same. It
 * changes a process-wide V8 setting, so a long-lived service embedding the executor should
 * decide for itself.
 */
export function disableAllocationSitePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
