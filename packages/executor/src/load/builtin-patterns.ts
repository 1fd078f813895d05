import { burst } from './burst.js';
import { closedLoop } from './closed-loop.js';
import type { LoadPattern } from './load-pattern.js';
import { openLoop } from './open-loop.js';
import { replay } from './replay.js';

/**
 * The load patterns this package registers. A new pattern is one file in this folder and
 * one line here; the config file, the CLI and `runPlan` learn of it from the registry.
 */
export const loadPatterns: readonly LoadPattern[] = [closedLoop, openLoop, burst, replay];
