export type { ClientError } from './client-error.js';
export { clientErrorAgainstWriteLog, errorPercentiles } from './client-error.js';
export type { LatencySetting } from './latency-setting.js';
export { parseDistribution, toLatencySpec } from './latency-setting.js';
export type { LatencySpec } from './latency-spec.js';
export { meanLatencyMs, parseLatencySpec } from './latency-spec.js';
export { mockProviderFactory, providerFactories } from './mock-factory.js';
export { SeededRandom } from './seeded-random.js';
export type { RunningSimulator, SimulatorStats } from './simulator.js';
export { startSimulator } from './simulator.js';
export type { SimulatorErrorCode } from './simulator-error.js';
export { LensSimulatorError, SIMULATOR_ERROR_CODES } from './simulator-error.js';
export type { FaultOptions, SimulatorMode, SimulatorOptions } from './simulator-options.js';
export type { SimulatorSetting, SimulatorSettings } from './simulator-settings.js';
export {
  SIMULATOR_SETTINGS,
  simulatorOptionsFromSettings,
  simulatorSettingsSchema,
} from './simulator-settings.js';
export type { SimulatorProcess, SpawnSimulatorOptions } from './spawn-simulator.js';
export { readWriteLogFile, spawnSimulator } from './spawn-simulator.js';
export type { ServeUntilSignalHooks } from './standalone.js';
export { serveSimulatorUntilSignal } from './standalone.js';
export { simulatedText, simulatedTokenText } from './token-text.js';
export type { WriteOutcome, WriteRecord } from './write-log.js';
export { parseWriteLogLine, WriteLog, writeRecordToJsonLine } from './write-log.js';
