// Messages between the main thread and the worker threads that generate load.
import type { EventLoopSnapshot, RequestRecord } from '@llm-lens/core-timing';
import type { EncodedAggregator, ResilienceSummary, SloTargets } from '@llm-lens/metrics';
import type { ModelPrice, ProviderSettings } from '@llm-lens/providers-core';
import type { ScenarioPlan, TargetResilience } from './plan.js';
import type { RequestTimeouts } from './request-runner.js';

/** What a worker is started with (`workerData`). */
export interface WorkerInit {
  index: number;
  count: number;
  /** Extension modules to import: the same registry as the main thread's. */
  moduleUrls: string[];
  /** Each provider as a worker builds it (a registered type and its settings), in target order. */
  providers: ProviderSettings[];
  pairs: WorkerPair[];
  tokenizer: 'auto' | 'offline' | 'none';
  anchor: { wallMs: number; monoNs: bigint };
  secrets: string[];
  /** The SLOs goodput is counted against. */
  slo?: SloTargets;
  /** The run's budget, USD: this worker keeps 1/count of it. */
  maxCostUsd?: number;
}

/** A pair as a worker sees it: which provider and model, and the scenario. */
export interface WorkerPair {
  provider: string;
  model: string;
  extraBody?: Readonly<Record<string, unknown>>;
  timeouts?: RequestTimeouts;
  /** The main thread's price for the model (its price book may hold the user's entries). */
  price?: ModelPrice;
  /** The provider's policies as the main thread's target has them. */
  resilience?: TargetResilience;
  scenario: ScenarioPlan;
}

export type MainToWorker =
  /** Run a pair; its first phase's schedule starts at `startNs` (monotonic) in every worker. */
  | { type: 'pair'; pairIndex: number; startNs: bigint }
  | { type: 'stop-pair' }
  | { type: 'stop' }
  | { type: 'cancel' }
  | { type: 'finish' };

export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'records'; records: RequestRecord[] }
  | { type: 'pair-done'; pairIndex: number }
  | { type: 'budget-stop'; message: string }
  | {
      type: 'finished';
      aggregator: EncodedAggregator;
      eventLoop: EventLoopSnapshot;
      resilience: ResilienceSummary | null;
    }
  | { type: 'failed'; message: string; stack: string | undefined };
