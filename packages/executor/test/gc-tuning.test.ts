import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/pretenuring-probe.mjs', import.meta.url));

/** V8's pretenuring decisions for a probe run: how many sites it tenured. */
function tenuredSites(mode: 'default' | 'disable'): number {
  const output = execFileSync(process.execPath, ['--trace-pretenuring-statistics', PROBE, mode], {
    encoding: 'utf8',
  });
  expect(output).toContain('2000000');
  return output.split('\n').filter((line) => line.includes('=> tenure')).length;
}

describe('disableAllocationSitePretenuring', () => {
  it('stops V8 from tenuring an allocation site whose objects all survive', () => {
    // The control: without the call, V8 tenures the probe's site.
    expect(tenuredSites('default')).toBeGreaterThan(0);
    expect(tenuredSites('disable')).toBe(0);
  });
});
