/** Stable codes of {@link CsvExportError}. */
export type CsvExportErrorCode = 'LENS_EXPORT_CSV_PATH' | 'LENS_EXPORT_CSV_WRITE';

/** A CSV export that cannot be written: no file given, or the file system refused it. */
export class CsvExportError extends Error {
  constructor(
    readonly code: CsvExportErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CsvExportError';
  }
}

/** The path of a file format's target, or an error saying how to give one. */
export function requireCsvPath(path: string | undefined, format: string): string {
  if (path !== undefined && path !== '') return path;
  throw new CsvExportError(
    'LENS_EXPORT_CSV_PATH',
    `the ${format} export needs a file: give one with \`--export ${format}=FILE.csv\` (or an \`--output\` / \`--records\` path ending in .csv)`,
  );
}
