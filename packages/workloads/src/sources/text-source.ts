// `{ type: text, path, split: line | file }`: prompts from a plain text file.
import { basename } from 'node:path';
import { oneOf } from '@llm-lens/config-fields';
import { readLines, readWholeFile } from '../data-file.js';
import { FilePromptCollector, type FileSourceSettings, fileSourceShape } from '../file-source.js';
import type { LengthSpec } from '../length-spec.js';
import {
  outputTokensSetting,
  type PromptSourceType,
  sourceConfigSchema,
} from '../source-settings.js';

/** A text file: one prompt per non-empty line, or the whole file as one prompt. */
export interface TextSourceConfig extends FileSourceSettings {
  type: 'text';
  /** `line` (default): every non-blank line is a prompt. `file`: the whole file is one. */
  split: 'line' | 'file';
  output_tokens?: LengthSpec;
}

const schema = sourceConfigSchema(
  fileSourceShape(
    'text',
    { split: oneOf(['line', 'file']).default('line') },
    { output_tokens: outputTokensSetting() },
  ),
  'an object {type: text, path, split?}',
);

export const textSource: PromptSourceType<TextSourceConfig> = {
  type: 'text',
  description:
    'a text file: one prompt per non-blank line (split: line) or the whole file (split: file)',
  configSchema: schema,
  async load(config, context) {
    const collector = await FilePromptCollector.open(config, context);
    const name = basename(collector.file.name);
    if (config.split === 'file') {
      const whole = (await readWholeFile(collector.file)).trimEnd();
      if (whole.trim() !== '') collector.add(Object.freeze({ prompt: whole, source: name }));
    } else {
      for await (const { text, line } of readLines(collector.file)) {
        if (text.trim() === '') continue;
        if (!collector.add(Object.freeze({ prompt: text, source: `${name}:${line}` }))) break;
      }
    }
    const byLine = config.split === 'line';
    return collector.promptSet({
      label: 'text',
      settings: config,
      notes: [byLine ? 'one per line' : 'the whole file'],
      emptyProblem: `no prompt in the file (${byLine ? 'every line is blank' : 'it is empty'}); write one prompt per line, or use split: file for one prompt`,
    });
  },
};
