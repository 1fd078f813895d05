// How validation problems are described to a user: the path, what was expected, and what
// was found, without ever echoing a value that may be a credential (see describeValue in
// @llm-lens/config-fields).

/** One problem in a config: where it is and what is wrong. */
export interface ConfigIssue {
  /** The failing field, e.g. `scenarios[1].concurrency`, or a CLI flag such as `--concurrency`; empty for the whole config. */
  path: string;
  /** What is wrong and what would be valid, e.g. `must be a positive integer, got "ten"`. */
  message: string;
  /** 1-based line in the config file, when known (YAML and JSON files). */
  line?: number;
  /** 1-based column in the config file, when known. */
  column?: number;
}

/** Renders issues one per line: `[file[:line:col]: ]path: message`. */
export function formatIssues(issues: readonly ConfigIssue[], file?: string): string {
  return issues
    .map((issue) => {
      let prefix = '';
      if (file !== undefined) {
        prefix =
          issue.line === undefined ? `${file}: ` : `${file}:${issue.line}:${issue.column ?? 1}: `;
      }
      return issue.path === ''
        ? `${prefix}${issue.message}`
        : `${prefix}${issue.path}: ${issue.message}`;
    })
    .join('\n');
}
