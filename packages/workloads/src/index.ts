export {
  type Conversation,
  type ConversationSet,
  type ConversationTurn,
  conversationMessages,
} from './conversation.js';
export {
  CONVERSATION_SOURCE_TYPES,
  type ConversationSourceConfig,
  type ConversationSourceType,
  conversationSourceSchema,
  type LoadConversationSetOptions,
  loadConversationSet,
  MAX_TURNS,
  type ShareGptConversationsConfig,
  type SyntheticConversationsConfig,
} from './conversation-sources.js';
export {
  type DurationSpec,
  describeDurationSpec,
  drawDurationMs,
  durationSpecSchema,
  MAX_DURATION_MS,
  parseDurationSpec,
} from './duration-spec.js';
export type { ItemOrder } from './item-order.js';
export {
  describeLengthSpec,
  drawLength,
  type LengthSpec,
  lengthSpecSchema,
  MAX_LENGTH,
  parseLengthSpec,
} from './length-spec.js';
export { GENERATORS, type VariableConfig } from './mix-variables.js';
export type { PromptRecordConfig } from './prompt-record.js';
export { type PromptItem, type PromptSet, preparePromptItems } from './prompt-set.js';
export {
  type LoadPromptSetOptions,
  loadPromptSet,
  PROMPT_SOURCE_TYPES,
  type PromptSourceConfig,
  type PromptSourceFile,
  promptSourceSchema,
  readPromptSourceFile,
} from './prompt-sources.js';
export {
  loadReplayLog,
  type ReplayConfig,
  type ReplayEntry,
  type ReplayLog,
  type ReplayLogOptions,
  replayConfigSchema,
  replayPromptSet,
} from './replay-log.js';
export { DEFAULT_SEED, SeededRandom } from './seeded-random.js';
export type { PromptSourceType, SourceContext } from './source-settings.js';
export type { InlineSourceConfig } from './sources/inline-source.js';
export type { JsonlSourceConfig } from './sources/jsonl-source.js';
export type {
  MessageTemplateConfig,
  MixEntryConfig,
  MixSourceConfig,
} from './sources/mix-source.js';
export type { ShareGptSourceConfig } from './sources/sharegpt-source.js';
export type { SyntheticSourceConfig } from './sources/synthetic-source.js';
export type { TextSourceConfig } from './sources/text-source.js';
export { EPOCH_MILLISECONDS_FROM, timestampMs } from './timestamp.js';
export { DEFAULT_ENCODING } from './vocabulary.js';
export {
  WORKLOAD_ERROR_CODES,
  WorkloadError,
  type WorkloadErrorCode,
  type WorkloadErrorOptions,
  type WorkloadIssue,
} from './workload-error.js';
