// Where conversations come from: ShareGPT's multi-turn data (the human turns, with the
// recorded replies kept) or synthetic sessions of drawn turn counts and lengths.
import { resolve } from 'node:path';
import { positiveInt, text, z } from '@llm-lens/config-fields';
import type { Conversation, ConversationSet, ConversationTurn } from './conversation.js';
import { openDataFile } from './data-file.js';
import {
  type DurationSpec,
  describeDurationSpec,
  drawDurationMs,
  durationSpecSchema,
} from './duration-spec.js';
import { type ItemOrder, itemOrder } from './item-order.js';
import {
  describeLengthSpec,
  drawLength,
  type LengthSpec,
  lengthSpecSchema,
  maxOfLengthSpec,
} from './length-spec.js';
import { checkIndex } from './prompt-set.js';
import { SeededRandom } from './seeded-random.js';
import { readShareGpt, SkipCounter } from './sharegpt-format.js';
import {
  capsNote,
  countOf,
  fixedOutputSetting,
  maxItemsSetting,
  orderSetting,
  outputTokensSetting,
  pathSetting,
  seedSetting,
  sourceConfigSchema,
  typeSetting,
} from './source-settings.js';
import { datasetOrLengthSchema } from './sources/sharegpt-source.js';
import { textBuilderFor } from './synthetic-text.js';
import { typedEntrySchema } from './typed-entry.js';
import { chooseVocabulary, describeVocabulary, loadVocabulary } from './vocabulary.js';
import { WorkloadError } from './workload-error.js';
import { parseOrThrow } from './zod-issues.js';

/** The most turns a synthetic conversation may have. */
export const MAX_TURNS = 1000;

const NO_THINK_TIME: DurationSpec = { distribution: 'fixed', value_ms: 0 };

/** ShareGPT conversations, all their human turns. */
export interface ShareGptConversationsConfig {
  type: 'sharegpt';
  path: string;
  max_items?: number;
  /** Leave out conversations with fewer turns; default 1. */
  min_turns: number;
  /** Keep only the first turns of longer conversations. */
  max_turns?: number;
  /** `dataset`: each turn's recorded reply length, in tokens; or a spec; unset: no cap. */
  output_tokens?: LengthSpec | 'dataset';
  model?: string;
  /** Pause before each turn after the first; default 0. */
  think_time: DurationSpec;
  fixed_output: boolean;
  order: ItemOrder;
  seed: number;
}

/** Generated conversations. */
export interface SyntheticConversationsConfig {
  type: 'synthetic';
  /** Turns per conversation. */
  turns: LengthSpec;
  /** Tokens of each user turn. */
  input_tokens: LengthSpec;
  output_tokens?: LengthSpec;
  model?: string;
  think_time: DurationSpec;
  fixed_output: boolean;
  seed: number;
}

/** Any conversation source's settings, validated and normalized. */
export type ConversationSourceConfig = ShareGptConversationsConfig | SyntheticConversationsConfig;

const thinkTimeSetting = () =>
  z.preprocess((value) => value ?? NO_THINK_TIME, durationSpecSchema('a think time'));

const shareGptSchema = sourceConfigSchema(
  {
    type: typeSetting('sharegpt'),
    path: pathSetting(),
    max_items: maxItemsSetting(),
    min_turns: positiveInt().default(1),
    max_turns: positiveInt().optional(),
    output_tokens: datasetOrLengthSchema.optional(),
    model: text('a model name').optional(),
    think_time: thinkTimeSetting(),
    fixed_output: fixedOutputSetting(),
    order: orderSetting(),
    seed: seedSetting(),
  },
  'an object {type: sharegpt, path}',
  (config, ctx) => {
    if (config.max_turns !== undefined && config.max_turns < config.min_turns) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_turns'],
        message: `must be at least min_turns (${config.min_turns}), got ${config.max_turns}`,
      });
    }
  },
);

const syntheticSchema = sourceConfigSchema(
  {
    type: typeSetting('synthetic'),
    turns: lengthSpecSchema('a turn count').superRefine((turns, ctx) => {
      if (maxOfLengthSpec(turns) > MAX_TURNS) {
        ctx.addIssue({
          code: 'custom',
          message: `must not allow more than ${MAX_TURNS} turns, got ${describeLengthSpec(turns)}`,
        });
      }
    }),
    input_tokens: lengthSpecSchema('an input token count'),
    output_tokens: outputTokensSetting(),
    model: text('a model name').optional(),
    think_time: thinkTimeSetting(),
    fixed_output: fixedOutputSetting(),
    seed: seedSetting(),
  },
  'an object {type: synthetic, turns, input_tokens, output_tokens?, think_time?}',
);

/** What a conversation source's loader gets besides its config. */
interface ConversationContext {
  baseDir: string;
  model: string | undefined;
  field: string;
}

/** A conversation source type, registered by name. */
export interface ConversationSourceType<Config = unknown> {
  readonly type: string;
  readonly description: string;
  readonly configSchema: z.ZodType<Config>;
  load(config: Config, context: ConversationContext): Promise<ConversationSet>;
}

function thinkTimes(spec: DurationSpec, turns: number, seed: number, index: number): number[] {
  const random = SeededRandom.of(seed, 'conversation:think', index);
  const times = new Array<number>(turns);
  times[0] = 0;
  for (let k = 1; k < turns; k++) times[k] = drawDurationMs(spec, random);
  return times;
}

const shareGptConversations: ConversationSourceType<ShareGptConversationsConfig> = {
  type: 'sharegpt',
  description: 'ShareGPT conversations: every human turn, with the recorded replies kept',
  configSchema: shareGptSchema,
  async load(config, context) {
    const file = await openDataFile(config.path, context.baseDir, `${context.field}.path`);
    const fromDataset = config.output_tokens === 'dataset';
    const choice = chooseVocabulary(config.model ?? context.model);
    const vocabulary = fromDataset ? loadVocabulary(choice.encoding) : undefined;
    const spec = config.output_tokens === 'dataset' ? undefined : config.output_tokens;
    const kept: { source: string; system?: string; turns: ConversationTurn[] }[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    const skipped = new SkipCounter();
    await readShareGpt(file, skipped, (conversation) => {
      let turns = conversation.turns;
      // With lengths from the dataset, a last turn nobody answered has no length to take.
      if (fromDataset && turns[turns.length - 1]!.reply === undefined) turns = turns.slice(0, -1);
      if (config.max_turns !== undefined) turns = turns.slice(0, config.max_turns);
      if (turns.length < config.min_turns) {
        skipped.add(
          config.min_turns > 1 ? `fewer than ${config.min_turns} turns` : 'no recorded reply',
        );
        return true;
      }
      const key = JSON.stringify([conversation.system ?? null, turns.map((turn) => turn.user)]);
      if (seen.has(key)) {
        duplicates++;
        return true;
      }
      seen.add(key);
      kept.push({
        source: `sharegpt#${conversation.id}`,
        ...(conversation.system === undefined ? {} : { system: conversation.system }),
        turns: turns.map((turn): ConversationTurn => {
          const out: ConversationTurn = { user: turn.user };
          if (turn.reply !== undefined) out.recordedReply = turn.reply;
          if (vocabulary !== undefined && turn.reply !== undefined)
            out.maxTokens = vocabulary.count(turn.reply);
          // Shared by every request of this conversation: nobody may change it.
          return Object.freeze(out);
        }),
      });
      return kept.length !== config.max_items;
    });
    seen.clear();
    if (kept.length === 0) {
      throw new WorkloadError(
        'LENS_WORKLOAD_EMPTY',
        `${file.name}: no usable conversation${skipped.total > 0 ? ` (${skipped.describe()})` : ''}; a conversation needs at least ${countOf(config.min_turns, 'human turn')}`,
        { file: file.name, field: `${context.field}.path` },
      );
    }
    const turnCount = kept.reduce((sum, conversation) => sum + conversation.turns.length, 0);
    const notes = [`${countOf(turnCount, 'turn')}`];
    const skips = skipped.describe();
    if (skips !== undefined) notes.push(skips);
    if (duplicates > 0) notes.push(`${countOf(duplicates, 'duplicate')} dropped`);
    if (fromDataset)
      notes.push(`max_tokens from the recorded replies (${describeVocabulary(choice)})`);
    const caps =
      spec === undefined
        ? undefined
        : capsNote({ output_tokens: spec, fixed_output: config.fixed_output });
    if (caps !== undefined) notes.push(caps);
    notes.push(`think time ${describeDurationSpec(config.think_time)}`);
    notes.push(
      config.order === 'shuffle'
        ? `shuffled, seed ${config.seed}`
        : `in order, seed ${config.seed}`,
    );
    const order = itemOrder(config.order, kept.length, config.seed);
    return {
      description: `sharegpt conversations: ${countOf(kept.length, 'conversation')} from ${file.name} (${notes.join('; ')})`,
      size: kept.length,
      at(index) {
        checkIndex(index);
        const base = kept[order(index)]!;
        const random = SeededRandom.of(config.seed, 'conversation:output', index);
        const turns = base.turns.map((turn) => {
          const maxTokens =
            turn.maxTokens ?? (spec === undefined ? undefined : drawLength(spec, random));
          if (maxTokens === undefined) return turn;
          const out: ConversationTurn = { ...turn, maxTokens };
          if (config.fixed_output) out.minTokens = maxTokens;
          return out;
        });
        const conversation: Conversation = {
          source: base.source,
          turns,
          thinkTimeMs: thinkTimes(config.think_time, turns.length, config.seed, index),
        };
        if (base.system !== undefined) conversation.system = base.system;
        return conversation;
      },
    };
  },
};

const syntheticConversations: ConversationSourceType<SyntheticConversationsConfig> = {
  type: 'synthetic',
  description: 'generated conversations: turns, input_tokens, output_tokens and think_time specs',
  configSchema: syntheticSchema,
  async load(config, context) {
    const choice = chooseVocabulary(config.model ?? context.model);
    const builder = textBuilderFor(loadVocabulary(choice.encoding));
    const notes = [
      `${describeLengthSpec(config.turns)} turns`,
      `input ${describeLengthSpec(config.input_tokens)} tokens per turn`,
    ];
    const caps = capsNote(config);
    if (caps !== undefined) notes.push(caps);
    notes.push(
      `think time ${describeDurationSpec(config.think_time)}`,
      describeVocabulary(choice),
      `seed ${config.seed}`,
    );
    return {
      description: `synthetic conversations (${notes.join('; ')})`,
      size: Number.POSITIVE_INFINITY,
      at(index) {
        checkIndex(index);
        const random = SeededRandom.of(config.seed, 'conversation:turns', index);
        const count = drawLength(config.turns, random);
        const turns: ConversationTurn[] = [];
        for (let k = 0; k < count; k++) {
          const tokens = drawLength(config.input_tokens, random);
          // The first turn opens with the session's number, so no two sessions share a prefix.
          const user = builder.build(tokens, random, k === 0 ? `Conversation ${index}:` : '');
          const turn: ConversationTurn = { user };
          if (config.output_tokens !== undefined) {
            turn.maxTokens = drawLength(config.output_tokens, random);
            if (config.fixed_output) turn.minTokens = turn.maxTokens;
          }
          turns.push(turn);
        }
        return {
          source: `synthetic#${index}`,
          turns,
          thinkTimeMs: thinkTimes(config.think_time, count, config.seed, index),
        };
      },
    };
  },
};

/** Every built-in conversation source type. */
export const CONVERSATION_SOURCE_TYPES: readonly ConversationSourceType<ConversationSourceConfig>[] =
  [shareGptConversations, syntheticConversations];

/** The zod schema of a `conversations: {type, ...}` section; its output validates again to itself. */
export const conversationSourceSchema = typedEntrySchema(
  CONVERSATION_SOURCE_TYPES,
  'a conversation source',
);

/** Options of {@link loadConversationSet}. */
export interface LoadConversationSetOptions {
  /** Directory relative paths are resolved against; default the working directory. */
  baseDir?: string;
  /** The run's model, for vocabularies when the config names none. */
  model?: string;
  /** Where the section sits, for messages; default `conversations`. */
  field?: string;
}

/** Validates `config` (raw or parsed) and loads its conversations. Throws WorkloadError. */
export async function loadConversationSet(
  config: unknown,
  options: LoadConversationSetOptions = {},
): Promise<ConversationSet> {
  const field = options.field ?? 'conversations';
  const parsed = parseOrThrow(conversationSourceSchema, config, field);
  const sourceType = CONVERSATION_SOURCE_TYPES.find((candidate) => candidate.type === parsed.type)!;
  return sourceType.load(parsed, {
    baseDir: resolve(options.baseDir ?? '.'),
    model: options.model,
    field,
  });
}
