// Messages between the main thread and the worker threads that generate load.
import type { EventLoopSnapshot, RequestRecord } from '@llm-lens/core-timing';
import type { EncodedAggregator, SloTargets } from '@llm-lens/metrics';
import type { ModelPrice, ProviderSettings } from '@llm-lens/providers-core';
import type { ScenarioPlan } from './plan.js';
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
}

/** A pair as a worker sees it: which provider and model, and the scenario. */
export interface WorkerPair {
  provider: string;
  model: string;
  extraBody?: Readonly<Record<string, unknown>>;
  timeouts?: RequestTimeouts;
  /** The main thread's price for the model (its price book may hold the user's entries). */
  price?: ModelPrice;
  scenario: ScenarioPlan;
}

export type MainToWorker =
  | { type: 'pair'; pairIndex: number }
  | { type: 'stop-pair' }
  | { type: 'stop' }
  | { type: 'cancel' }
  | { type: 'finish' };

export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'records'; records: RequestRecord[] }
  | { type: 'pair-done'; pairIndex: number }
  | { type: 'finished'; aggregator: EncodedAggregator; eventLoop: EventLoopSnapshot }
  | { type: 'failed'; message: string; stack: string | undefined };
