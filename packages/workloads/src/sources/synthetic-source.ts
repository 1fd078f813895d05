// `{ type: synthetic, input_tokens, output_tokens }`: generated prompts of an exact token
// length in the model's offline vocabulary, a new one for every request.
import { text } from '@llm-lens/config-fields';
import {
  describeLengthSpec,
  drawLength,
  type LengthSpec,
  lengthSpecSchema,
} from '../length-spec.js';
import { checkIndex } from '../prompt-set.js';
import { SeededRandom } from '../seeded-random.js';
import {
  capsNote,
  fixedOutputSetting,
  outputTokensSetting,
  type PromptSourceType,
  seedSetting,
  sourceConfigSchema,
  typeSetting,
  withOutputCaps,
} from '../source-settings.js';
import { textBuilderFor } from '../synthetic-text.js';
import { chooseVocabulary, describeVocabulary, loadVocabulary } from '../vocabulary.js';

/** Generated prompts of drawn token lengths. */
export interface SyntheticSourceConfig {
  type: 'synthetic';
  input_tokens: LengthSpec;
  output_tokens?: LengthSpec;
  /** The model whose vocabulary the lengths are measured in; default the run's model. */
  model?: string;
  fixed_output: boolean;
  seed: number;
}

const schema = sourceConfigSchema(
  {
    type: typeSetting('synthetic'),
    input_tokens: lengthSpecSchema('an input token count'),
    output_tokens: outputTokensSetting(),
    model: text('a model name').optional(),
    fixed_output: fixedOutputSetting(),
    seed: seedSetting(),
  },
  'an object {type: synthetic, input_tokens, output_tokens?}',
);

/** The text every synthetic prompt starts with, unique per request (when the length allows). */
export function syntheticPrefix(index: number): string {
  return `Request ${index}:`;
}

export const syntheticSource: PromptSourceType<SyntheticSourceConfig> = {
  type: 'synthetic',
  description: 'generated prompts of an exact token length (input_tokens, output_tokens specs)',
  configSchema: schema,
  async load(config, context) {
    const choice = chooseVocabulary(config.model ?? context.model);
    const builder = textBuilderFor(loadVocabulary(choice.encoding));
    const notes = [describeVocabulary(choice)];
    const caps = capsNote(config);
    if (caps !== undefined) notes.push(caps);
    notes.push(`seed ${config.seed}`);
    return {
      description: `synthetic: input ${describeLengthSpec(config.input_tokens)} tokens (${notes.join('; ')})`,
      size: Number.POSITIVE_INFINITY,
      at(index) {
        checkIndex(index);
        const random = SeededRandom.of(config.seed, 'synthetic:input', index);
        const tokens = drawLength(config.input_tokens, random);
        const prompt = builder.build(tokens, random, syntheticPrefix(index));
        return withOutputCaps({ prompt, source: 'synthetic' }, config, index);
      },
    };
  },
};
