// `{ type: mix, entries: [{weight, template, variables, max_tokens?}] }`: weighted
// templates whose `{{name}}` placeholders are filled from lists, files or generators.
import {
  listOf,
  mapOf,
  nullAsAbsent,
  oneOf,
  positiveNumber,
  strictObject,
  text,
  z,
} from '@llm-lens/config-fields';
import type { ChatMessage } from '@llm-lens/providers-core';
import { drawLength, type LengthSpec, lengthSpecSchema } from '../length-spec.js';
import {
  loadVariable,
  type Variable,
  type VariableConfig,
  variableSchema,
} from '../mix-variables.js';
import { checkIndex, type PromptItem } from '../prompt-set.js';
import { SeededRandom } from '../seeded-random.js';
import {
  countOf,
  fixedOutputSetting,
  type PromptSourceType,
  seedSetting,
  sourceConfigSchema,
  typeSetting,
  withOutputCaps,
} from '../source-settings.js';
import { type SyntheticTextBuilder, textBuilderFor } from '../synthetic-text.js';
import { parseTemplate, placeholdersOf, renderTemplate, type TemplatePart } from '../template.js';
import { chooseVocabulary, describeVocabulary, loadVocabulary } from '../vocabulary.js';

/** A message of a chat template. */
export interface MessageTemplateConfig {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One weighted template of a mix. */
export interface MixEntryConfig {
  /** Short label for `source` (`mix:<name>`); default the entry's 1-based position. */
  name?: string;
  /** Relative weight > 0; default 1. */
  weight: number;
  /** A prompt template; exactly one of template and messages. */
  template?: string;
  /** A chat template: each message's content is a template. */
  messages?: MessageTemplateConfig[];
  variables: Record<string, VariableConfig>;
  /** This entry's output cap. */
  max_tokens?: LengthSpec;
}

/** Weighted templates with variables. */
export interface MixSourceConfig {
  type: 'mix';
  entries: MixEntryConfig[];
  /** The vocabulary of `tokens` generators; default the run's model. */
  model?: string;
  fixed_output: boolean;
  seed: number;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const messageTemplateSchema = strictObject(
  { role: oneOf(['system', 'user', 'assistant']), content: text('a non-empty template') },
  'an object {role, content}',
);

const entrySchema = strictObject(
  {
    name: text('a short name').optional(),
    weight: positiveNumber('a weight > 0').default(1),
    template: text(
      'a non-empty template such as "Translate into {{language}}: {{text}}"',
    ).optional(),
    messages: listOf(
      messageTemplateSchema,
      'a non-empty list of {role, content} templates',
      true,
    ).optional(),
    variables: z.preprocess(
      nullAsAbsent,
      mapOf(variableSchema, 'an object of variables by name').default({}),
    ),
    max_tokens: lengthSpecSchema('an output token count').optional(),
  },
  'an object {weight, template, variables}',
)
  .superRefine((entry, ctx) => {
    if ((entry.template === undefined) === (entry.messages === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: entry.template === undefined ? [] : ['messages'],
        message:
          entry.template === undefined
            ? 'needs a template (a string) or messages (a list of {role, content} templates)'
            : 'cannot be combined with template; give one of them',
      });
      return;
    }
    // Every placeholder must have a variable, and every variable a placeholder: either
    // mismatch is almost always a typo, better found before the run than in the prompts.
    const used = new Set<string>();
    const templates: [string, (string | number)[]][] =
      entry.template !== undefined
        ? [[entry.template, ['template']]]
        : (entry.messages ?? []).map((message, i) => [message.content, ['messages', i, 'content']]);
    const defined = Object.keys(entry.variables);
    for (const [template, path] of templates) {
      for (const name of placeholdersOf(parseTemplate(template))) {
        used.add(name);
        if (!Object.hasOwn(entry.variables, name)) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `uses {{${name}}}, which is not defined in variables (${defined.length === 0 ? 'no variables are defined' : `defined: ${defined.join(', ')}`})`,
          });
        }
      }
    }
    for (const name of defined) {
      if (!VARIABLE_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variables', name],
          message: 'is not a usable name: use letters, digits and _, not starting with a digit',
        });
      } else if (!used.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variables', name],
          message: `is not used: no {{${name}}} in the template`,
        });
      }
    }
  })
  .transform((entry): MixEntryConfig => {
    const out: MixEntryConfig = { weight: entry.weight, variables: entry.variables };
    if (entry.name !== undefined) out.name = entry.name;
    if (entry.template !== undefined) out.template = entry.template;
    if (entry.messages !== undefined) out.messages = entry.messages;
    if (entry.max_tokens !== undefined) out.max_tokens = entry.max_tokens;
    return out;
  });

const schema = sourceConfigSchema(
  {
    type: typeSetting('mix'),
    entries: listOf(entrySchema, 'a non-empty list of {weight, template, variables} entries', true),
    model: text('a model name').optional(),
    fixed_output: fixedOutputSetting(),
    seed: seedSetting(),
  },
  'an object {type: mix, entries: [...]}',
);

interface LoadedEntry {
  label: string;
  template?: TemplatePart[];
  messages?: { role: ChatMessage['role']; parts: TemplatePart[] }[];
  variables: Map<string, Variable>;
  maxTokens?: LengthSpec;
}

function render(entry: LoadedEntry, seed: number, index: number): string | ChatMessage[] {
  const values = new Map<string, string>();
  // Each variable draws from its own stream: adding a variable leaves the others' values be.
  const valueFor = (name: string): string => {
    let value = values.get(name);
    if (value === undefined) {
      value = entry.variables.get(name)!.draw(SeededRandom.of(seed, `mix:variable:${name}`, index));
      values.set(name, value);
    }
    return value;
  };
  if (entry.template !== undefined) return renderTemplate(entry.template, valueFor);
  return (entry.messages ?? []).map((message) => ({
    role: message.role,
    content: renderTemplate(message.parts, valueFor),
  }));
}

export const mixSource: PromptSourceType<MixSourceConfig> = {
  type: 'mix',
  description: 'weighted templates with {{variables}} from lists, files or generators',
  configSchema: schema,
  async load(config, context) {
    const choice = chooseVocabulary(config.model ?? context.model);
    let builder: SyntheticTextBuilder | undefined;
    const textBuilder = () => (builder ??= textBuilderFor(loadVocabulary(choice.encoding)));
    const entries: LoadedEntry[] = [];
    for (const [position, entry] of config.entries.entries()) {
      const variables = new Map<string, Variable>();
      for (const [name, variable] of Object.entries(entry.variables)) {
        const field = `${context.field}.entries[${position}].variables.${name}`;
        variables.set(
          name,
          await loadVariable(variable, { baseDir: context.baseDir, field, textBuilder }),
        );
      }
      const loaded: LoadedEntry = { label: entry.name ?? String(position + 1), variables };
      if (entry.template !== undefined) loaded.template = parseTemplate(entry.template);
      if (entry.messages !== undefined) {
        loaded.messages = entry.messages.map((message) => ({
          role: message.role,
          parts: parseTemplate(message.content),
        }));
      }
      if (entry.max_tokens !== undefined) loaded.maxTokens = entry.max_tokens;
      entries.push(loaded);
    }
    let total = 0;
    const cumulativeWeights = config.entries.map((entry) => (total += entry.weight));
    let distinct = 0;
    for (const entry of entries) {
      let combinations = 1;
      for (const variable of entry.variables.values()) combinations *= variable.distinctValues;
      distinct += combinations;
    }
    const shares = config.entries
      .map((entry, i) => `${entries[i]!.label} ${Math.round((entry.weight / total) * 1000) / 10}%`)
      .join(', ');
    const notes = [shares];
    if (builder !== undefined) notes.push(`tokens in ${describeVocabulary(choice)}`);
    if (config.fixed_output) notes.push('fixed output');
    notes.push(`seed ${config.seed}`);
    const settings = { seed: config.seed, fixed_output: config.fixed_output };
    return {
      description: `mix: ${countOf(entries.length, 'template')} (${notes.join('; ')})`,
      size: Number.isSafeInteger(distinct) ? distinct : Number.POSITIVE_INFINITY,
      at(index) {
        checkIndex(index);
        const entry =
          entries[SeededRandom.of(config.seed, 'mix:entry', index).weighted(cumulativeWeights)]!;
        const item: PromptItem = {
          prompt: render(entry, config.seed, index),
          source: `mix:${entry.label}`,
        };
        if (entry.maxTokens !== undefined) {
          item.maxTokens = drawLength(
            entry.maxTokens,
            SeededRandom.of(config.seed, 'mix:max_tokens', index),
          );
        }
        return withOutputCaps(item, settings, index);
      },
    };
  },
};
