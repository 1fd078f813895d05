// `{ type: jsonl, path }`: one JSON object per line, `{prompt}` or `{messages}` with
// optional `max_tokens` and `min_tokens`.
import { readLines } from '../data-file.js';
import { FilePromptCollector, type FileSourceSettings, fileSourceShape } from '../file-source.js';
import type { LengthSpec } from '../length-spec.js';
import { fileRecordSchema, itemOfRecord, recordOf } from '../prompt-record.js';
import {
  outputTokensSetting,
  type PromptSourceType,
  sourceConfigSchema,
} from '../source-settings.js';
import { parseJsonLine, throwRecordError } from '../zod-issues.js';

/** A JSON Lines file of prompt records. */
export interface JsonlSourceConfig extends FileSourceSettings {
  type: 'jsonl';
  output_tokens?: LengthSpec;
}

const schema = sourceConfigSchema(
  fileSourceShape('jsonl', {}, { output_tokens: outputTokensSetting() }),
  'an object {type: jsonl, path}',
);

const lineSchema = fileRecordSchema({});
const LINE_HINT =
  'each line must be one JSON object such as {"prompt": "...", "max_tokens": 128} or {"messages": [{"role": "user", "content": "..."}]}';

export const jsonlSource: PromptSourceType<JsonlSourceConfig> = {
  type: 'jsonl',
  description:
    'a JSON Lines file: {prompt} or {messages} per line, optional max_tokens, min_tokens',
  configSchema: schema,
  async load(config, context) {
    const collector = await FilePromptCollector.open(config, context);
    const { file } = collector;
    for await (const { text, line } of readLines(file)) {
      if (text.trim() === '') continue;
      const value = parseJsonLine(text, file.name, line, LINE_HINT);
      const parsed = lineSchema.safeParse(value);
      if (!parsed.success) throwRecordError(parsed.error, file.name, line, 'invalid prompt record');
      const record = recordOf(parsed.data);
      if (!collector.add(itemOfRecord(record, `jsonl#${record.id ?? line}`))) break;
    }
    return collector.promptSet({
      label: 'jsonl',
      settings: config,
      emptyProblem: `the file has no prompt record; ${LINE_HINT}`,
    });
  },
};
