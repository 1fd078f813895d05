// `{ type: sharegpt, path, max_items? }`: the first human turn of each ShareGPT conversation
// as a single-turn prompt; with `output_tokens: dataset`, the recorded reply's token count as
// its max_tokens (as vLLM's serving benchmark does).
import { text, z } from '@llm-lens/config-fields';
import {
  FilePromptCollector,
  type FilePromptSettings,
  type FileSourceSettings,
  fileSourceShape,
} from '../file-source.js';
import { type LengthSpec, lengthSpecSchema } from '../length-spec.js';
import type { PromptItem } from '../prompt-set.js';
import { readShareGpt, SkipCounter } from '../sharegpt-format.js';
import { countOf, type PromptSourceType, sourceConfigSchema } from '../source-settings.js';
import { chooseVocabulary, describeVocabulary, loadVocabulary } from '../vocabulary.js';
import { forwardIssues } from '../zod-issues.js';

/** ShareGPT conversations, first human turn each. */
export interface ShareGptSourceConfig extends FileSourceSettings {
  type: 'sharegpt';
  /** `dataset`: the recorded reply's length in tokens; or a length spec; unset: no cap. */
  output_tokens?: LengthSpec | 'dataset';
  /** The model whose vocabulary counts the recorded replies; default the run's model. */
  model?: string;
}

/** `dataset` or a length spec. */
export const datasetOrLengthSchema = z.unknown().transform((value, ctx): LengthSpec | 'dataset' => {
  if (value === 'dataset') return 'dataset';
  const spec = lengthSpecSchema(
    '"dataset" (the recorded reply\'s length) or an output token count',
  ).safeParse(value);
  if (spec.success) return spec.data;
  forwardIssues(spec.error, ctx);
  return z.NEVER;
});

const schema = sourceConfigSchema(
  fileSourceShape(
    'sharegpt',
    {},
    { output_tokens: datasetOrLengthSchema.optional(), model: text('a model name').optional() },
  ),
  'an object {type: sharegpt, path}',
);

export const shareGptSource: PromptSourceType<ShareGptSourceConfig> = {
  type: 'sharegpt',
  description: 'a ShareGPT JSON file: the first human turn of each conversation',
  configSchema: schema,
  async load(config, context) {
    const collector = await FilePromptCollector.open(config, context);
    const fromDataset = config.output_tokens === 'dataset';
    const choice = chooseVocabulary(config.model ?? context.model);
    const vocabulary = fromDataset ? loadVocabulary(choice.encoding) : undefined;
    const skipped = new SkipCounter();
    await readShareGpt(collector.file, skipped, (conversation) => {
      const first = conversation.turns[0]!;
      const item: PromptItem = { prompt: first.user, source: `sharegpt#${conversation.id}` };
      if (vocabulary !== undefined) {
        if (first.reply === undefined) {
          skipped.add('no recorded reply');
          return true;
        }
        item.maxTokens = vocabulary.count(first.reply);
      }
      return collector.add(Object.freeze(item));
    });
    const extra = ['first human turns'];
    if (config.max_items !== undefined && collector.size === config.max_items) {
      extra.push(`the first ${countOf(collector.size, 'usable conversation')}`);
    }
    const skips = skipped.describe();
    if (skips !== undefined) extra.push(skips);
    if (fromDataset)
      extra.push(`max_tokens from the recorded replies (${describeVocabulary(choice)})`);
    const settings: FilePromptSettings = {
      seed: config.seed,
      fixed_output: config.fixed_output,
      order: config.order,
    };
    if (config.output_tokens !== undefined && config.output_tokens !== 'dataset') {
      settings.output_tokens = config.output_tokens;
    }
    return collector.promptSet({
      label: 'sharegpt',
      settings,
      notes: extra,
      emptyProblem: `no usable conversation${skipped.total > 0 ? ` (${skips})` : ''}; a conversation needs a human turn${fromDataset ? ' followed by a gpt reply (output_tokens: dataset)' : ''}`,
    });
  },
};
