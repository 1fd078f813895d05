// Opening the data files a workload names (datasets, variable lists, replay logs): paths
// relative to a base directory, errors that say which setting named the file and where it
// was looked for, and line-by-line reading that never holds a whole large file in memory.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { WorkloadError } from './workload-error.js';

/** A data file, resolved. */
export interface DataFile {
  /** The path as written in the workload, for messages. */
  readonly name: string;
  /** The absolute path read. */
  readonly path: string;
}

/**
 * Resolves `path` against `baseDir` and checks it is a readable file; throws
 * LENS_WORKLOAD_FILE naming `field` (the setting that holds the path) otherwise.
 */
export async function openDataFile(
  path: string,
  baseDir: string,
  field: string,
): Promise<DataFile> {
  const absolute = isAbsolute(path) ? path : resolve(baseDir, path);
  const where = absolute === path ? path : `${path} (looked at ${absolute})`;
  try {
    const stats = await stat(absolute);
    if (!stats.isFile()) {
      throw new WorkloadError(
        'LENS_WORKLOAD_FILE',
        `${field}: ${where} is not a file; give the path of a data file`,
        {
          file: path,
          field,
        },
      );
    }
    return { name: path, path: absolute };
  } catch (error) {
    if (error instanceof WorkloadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `file not found: ${where}; relative paths are resolved against ${baseDir}`
        : `cannot read ${where}: ${(error as Error).message}`;
    throw new WorkloadError('LENS_WORKLOAD_FILE', `${field}: ${reason}`, {
      file: path,
      field,
      cause: error,
    });
  }
}

/** One line of a text file, without its line break, with its 1-based number. */
export interface NumberedLine {
  text: string;
  line: number;
}

/** The file's lines in order (`\n` or `\r\n` endings; a leading byte-order mark dropped). */
export async function* readLines(file: DataFile): AsyncGenerator<NumberedLine> {
  const stream = createReadStream(file.path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      yield { text: line === 1 ? raw.replace(/^\uFEFF/, '') : raw, line };
    }
  } catch (error) {
    throw new WorkloadError(
      'LENS_WORKLOAD_FILE',
      `${file.name}:${line + 1}: cannot read the file: ${(error as Error).message}`,
      {
        file: file.name,
        line: line + 1,
        cause: error,
      },
    );
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** The whole file as text (a leading byte-order mark dropped); for files meant as one prompt. */
export async function readWholeFile(file: DataFile): Promise<string> {
  try {
    return (await readFile(file.path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    // Past V8's longest string (~512 MiB) readFile fails with ERR_STRING_TOO_LONG.
    throw new WorkloadError(
      'LENS_WORKLOAD_FILE',
      `${file.name}: cannot read the file as one prompt: ${(error as Error).message}`,
      { file: file.name, cause: error },
    );
  }
}
