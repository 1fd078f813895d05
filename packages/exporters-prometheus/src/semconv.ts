// Our own table of the OpenTelemetry GenAI semantic-convention names this package emits
// (docs/gen-ai/gen-ai-metrics.md of open-telemetry/semantic-conventions-genai, status
// "Development"). Kept here rather than imported from @opentelemetry/semantic-conventions:
// the GenAI names move between releases there, and one exporter should not pull in the
// whole registry for six strings.

/** GenAI metric instruments, by their OpenTelemetry names. */
export const GEN_AI_METRICS = {
  /** Histogram, `s`: the whole operation (our e2e). */
  clientOperationDuration: 'gen_ai.client.operation.duration',
  /** Histogram, `{token}`: input and output tokens of one operation, by `gen_ai.token.type`. */
  clientTokenUsage: 'gen_ai.client.token.usage',
  /** Histogram, `s`: request issued → first chunk of the response stream (streaming only). */
  clientTimeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
  /** Histogram, `s`: one sample per chunk after the first, previous chunk → this chunk. */
  clientTimePerOutputChunk: 'gen_ai.client.operation.time_per_output_chunk',
  /**
   * Histogram, `s`: the server's own time per output token after the first. Not emitted
   * (we measure at the client); its bucket boundaries are used for our tpot and itl.
   */
  serverTimePerOutputToken: 'gen_ai.server.time_per_output_token',
  /** Histogram, `s`: the server's own time to first token. Not emitted, listed for the README. */
  serverTimeToFirstToken: 'gen_ai.server.time_to_first_token',
} as const;

/** GenAI and general attributes used as labels. */
export const GEN_AI_ATTRIBUTES = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  tokenType: 'gen_ai.token.type',
  errorType: 'error.type',
} as const;

/** `gen_ai.operation.name` of every request llm-latency-lens sends (chat completions). */
export const GEN_AI_OPERATION_CHAT = 'chat';

/** The explicit bucket boundaries the conventions advise, in the instrument's unit. */
export const SEMCONV_BUCKETS = {
  /** gen_ai.client.operation.duration, time_to_first_chunk and time_per_output_chunk, seconds. */
  clientDuration: [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
  ],
  /** gen_ai.client.token.usage, tokens. */
  tokenUsage: [
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
  ],
  /** gen_ai.server.time_per_output_token, seconds. */
  serverTimePerOutputToken: [
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
  ],
} as const;

/**
 * An OpenTelemetry name as Prometheus spells it (the OTLP → Prometheus translation): dots
 * become underscores, then the unit suffix (`_seconds` for `s`; `{token}` has none).
 */
export function prometheusName(otelName: string, unitSuffix = ''): string {
  const base = otelName.replace(/[^a-zA-Z0-9_]/g, '_');
  return unitSuffix === '' ? base : `${base}_${unitSuffix}`;
}
