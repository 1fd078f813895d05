export { runBenchmark, planFromConfig } from './run-benchmark.js';
export type { RunBenchmarkOptions } from './run-benchmark.js';
export { runPlan } from './run-plan.js';
export type { ProgressEvent, RunOptions } from './run-plan.js';
export type { BenchmarkPlan, BenchmarkTarget, ScenarioPlan } from './plan.js';
export { executeRequest } from './request-runner.js';
export type { RequestContext, RequestTimeouts } from './request-runner.js';
export { TokenCountCache } from './token-count-cache.js';
export type { TextTokenCounter } from './token-count-cache.js';
