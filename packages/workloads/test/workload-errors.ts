// The error a call throws, for tests that check codes and messages; fails when none is thrown.
import { expect } from 'vitest';
import { WorkloadError } from '../src/workload-error.js';

export async function workloadError(run: () => unknown): Promise<WorkloadError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkloadError);
    return error as WorkloadError;
  }
  throw new Error('expected a WorkloadError, but nothing was thrown');
}
