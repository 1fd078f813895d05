import type { ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WriteOutcome } from './write-log.js';

/**
 * The notional KV-cache capacity behind the synthetic `vllm:kv_cache_usage_perc`, in
 * concurrent sequences (vLLM's default `max_num_seqs`). The simulator has no cache: usage is
 * in-flight requests / this, capped at 1.
 */
export const SIMULATED_KV_CACHE_SEQUENCES = 256;

// vLLM's own bucket bounds (vllm/v1/metrics/loggers.py), so a scraper sees the same layout
// and the same interpolation error as against a real vLLM server.
const TTFT_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
  40.0, 80.0, 160.0, 640.0, 2560.0,
];
const E2E_BUCKETS_S = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
  480.0, 960.0, 1920.0, 7680.0,
];

const LABEL_NAMES = ['model_name', 'engine'] as const;
type LabelName = (typeof LABEL_NAMES)[number];

const hrtime = process.hrtime.bigint;

function secondsSince(startNs: bigint): number {
  return Number(hrtime() - startNs) / 1e9;
}

/**
 * The simulator's `GET /metrics`: vLLM-named metrics in the Prometheus text format, from a
 * registry of its own (several simulators share a process in tests; the global registry
 * would mix them).
 */
export class SimulatorMetricsEndpoint {
  readonly #registry = new Registry();
  readonly #labels: Record<LabelName, string>;
  readonly #ttft: Histogram<LabelName>;
  readonly #e2e: Histogram<LabelName>;
  readonly #promptTokens: Counter<LabelName>;
  readonly #generationTokens: Counter<LabelName>;

  /**
   * @param modelName the `model_name` label (the simulator's first model id)
   * @param inFlight the number of completion requests in flight, read at each scrape
   */
  constructor(modelName: string, inFlight: () => number) {
    const labels = { model_name: modelName, engine: '0' };
    this.#labels = labels;
    const registers = [this.#registry];
    new Gauge({
      name: 'vllm:num_requests_running',
      help: 'Number of requests in model execution batches (the simulator: requests in flight).',
      labelNames: LABEL_NAMES,
      registers,
      collect() {
        this.set(labels, inFlight());
      },
    });
    new Gauge({
      name: 'vllm:num_requests_waiting',
      help: 'Number of requests waiting to be processed (the simulator has no queue: always 0).',
      labelNames: LABEL_NAMES,
      registers,
      collect() {
        this.set(labels, 0);
      },
    });
    new Gauge({
      name: 'vllm:kv_cache_usage_perc',
      help: `KV-cache usage, 1 = 100 percent (synthetic: requests in flight / ${SIMULATED_KV_CACHE_SEQUENCES}).`,
      labelNames: LABEL_NAMES,
      registers,
      collect() {
        this.set(labels, Math.min(1, inFlight() / SIMULATED_KV_CACHE_SEQUENCES));
      },
    });
    this.#ttft = new Histogram({
      name: 'vllm:time_to_first_token_seconds',
      help: 'Histogram of time to first token in seconds.',
      labelNames: LABEL_NAMES,
      buckets: TTFT_BUCKETS_S,
      registers,
    });
    this.#e2e = new Histogram({
      name: 'vllm:e2e_request_latency_seconds',
      help: 'Histogram of e2e request latency in seconds.',
      labelNames: LABEL_NAMES,
      buckets: E2E_BUCKETS_S,
      registers,
    });
    this.#promptTokens = new Counter({
      name: 'vllm:prompt_tokens_total',
      help: 'Number of prefill tokens processed.',
      labelNames: LABEL_NAMES,
      registers,
    });
    this.#generationTokens = new Counter({
      name: 'vllm:generation_tokens_total',
      help: 'Number of generation tokens processed.',
      labelNames: LABEL_NAMES,
      registers,
    });
    // Label sets exist from the start, so the first scrape already shows every series at 0.
    this.#ttft.zero(labels);
    this.#e2e.zero(labels);
    this.#promptTokens.inc(labels, 0);
    this.#generationTokens.inc(labels, 0);
  }

  /** The request's first token is out (streamed) or generated (non-streaming): prefill done. */
  firstToken(arrivalNs: bigint, promptTokens: number): void {
    this.#ttft.observe(this.#labels, secondsSince(arrivalNs));
    this.#promptTokens.inc(this.#labels, promptTokens);
  }

  /** Tokens written (token events and non-streaming bodies). */
  tokensGenerated(tokens: number): void {
    this.#generationTokens.inc(this.#labels, tokens);
  }

  /** A request settled; like vLLM, only finished generations enter the e2e histogram. */
  requestEnded(arrivalNs: bigint, outcome: WriteOutcome): void {
    if (outcome === 'completed') this.#e2e.observe(this.#labels, secondsSince(arrivalNs));
  }

  /** Answers `GET /metrics`. */
  serve(res: ServerResponse): void {
    this.#registry.metrics().then(
      (body) => {
        res.writeHead(200, {
          'content-type': this.#registry.contentType,
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      },
      (error: unknown) => {
        const body = `metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`;
        res.writeHead(500, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      },
    );
  }
}
