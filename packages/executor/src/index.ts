export type {
  ColdStartErrors,
  ColdStartKind,
  ColdStartOptions,
  ColdStartPhase,
  ColdStartPhaseStats,
  ColdStartReport,
  ColdStartTarget,
} from './coldstart.js';
export {
  buildColdStartReport,
  COLD_START_PHASES,
  DEFAULT_COLD_START_SCENARIO,
  measureColdStart,
  portableTransportOpener,
} from './coldstart.js';
export type { ConnectionConfig, ConnectionMode } from './connection-config.js';
export { CONNECTION_MODES, connectionProviderShape } from './connection-config.js';
export type { ExecutorErrorCode } from './executor-error.js';
export { EXECUTOR_ERROR_CODES, ExecutorError } from './executor-error.js';
export {
  capYoungGeneration,
  DEFAULT_HEAP_GROWING_PERCENT,
  DEFAULT_YOUNG_GENERATION_MB,
  disableAllocationSitePretenuring,
  FIRST_V8_READING_WASM_FLAGS_AT_START,
  keepWebAssemblyOnBaselineCompiler,
  limitHeapGrowth,
} from './gc-tuning.js';
export { loadPatterns } from './load/builtin-patterns.js';
export { burst } from './load/burst.js';
export { closedLoop } from './load/closed-loop.js';
export type { LoadDriver, LoadPattern, LoadShape } from './load/load-pattern.js';
export { evenShare, proportionalShare } from './load/load-pattern.js';
export { DEFAULT_ARRIVAL_SEED, openLoop } from './load/open-loop.js';
export { replay } from './load/replay.js';
export type { EarlyStopRule, ProgressEvent } from './pair-tracker.js';
export { EARLY_STOP_AFTER } from './pair-tracker.js';
export type {
  BenchmarkPlan,
  BenchmarkTarget,
  ConversationPlan,
  ConversationTurnPlan,
  LoadPlan,
  PromptItemPlan,
  ScenarioConversations,
  ScenarioPlan,
  ScenarioPrompts,
  SweepLevelPlan,
  TargetResilience,
} from './plan.js';
export {
  DEFAULT_REQUEST_TIMEOUT_MS,
  expandSweep,
  plannedRequests,
  requestInput,
  requestTimeouts,
  turnMessages,
} from './plan.js';
export type { TokenizerChoice } from './preload.js';
export { preloadForRun } from './preload.js';
export type { ProfileOptions } from './profile-request.js';
export { profileRequest } from './profile-request.js';
export type { ExtensionModule } from './registry.js';
export { ExtensionRegistry } from './registry.js';
export type { FinishedRequest, RequestContext, RequestTimeouts } from './request-runner.js';
export { executeRequest, startRequest } from './request-runner.js';
export * from './resilience/index.js';
export type { RunBenchmarkOptions } from './run-benchmark.js';
export { planFromConfig, runBenchmark } from './run-benchmark.js';
export type { RunOptions } from './run-plan.js';
export {
  autoWorkers,
  MIN_SCHEDULE_LAG_SAMPLES,
  RUN_CHANNEL,
  runPlan,
  scenarioMaxInFlight,
} from './run-plan.js';
export type { SaturationGuardOptions } from './saturation-guard.js';
export { SaturationGuard } from './saturation-guard.js';
export type { CreateTargetsOptions, ResolvedTargets } from './targets.js';
export { createTargets, priceListOf } from './targets.js';
export type { TextTokenCounter, WholeTextCount } from './token-count-cache.js';
export { splitForCounting, TokenCountCache } from './token-count-cache.js';
