import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/pretenuring-probe.mjs', import.meta.url));

/**
 * V8's pretenuring decisions for a probe run: the most sites it tenured over three runs.
 * Whether one run's scavenges reach the decision depends on GC timing (about one run in six
 * tenures nothing by default), so the control takes the best of three.
 */
function tenuredSites(mode: 'default' | 'disable'): number {
  let most = 0;
  for (let run = 0; run < 3; run++) {
    const output = execFileSync(process.execPath, ['--trace-pretenuring-statistics', PROBE, mode], {
      encoding: 'utf8',
    });
    expect(output).toContain('2000000');
    most = Math.max(most, output.split('\n').filter((line) => line.includes('=> tenure')).length);
  }
  return most;
}

describe('disableAllocationSitePretenuring', () => {
  it('stops V8 from tenuring an allocation site whose objects all survive', () => {
    // The control: without the call, V8 tenures the probe's site.
    expect(tenuredSites('default')).toBeGreaterThan(0);
    expect(tenuredSites('disable')).toBe(0);
  });
});
