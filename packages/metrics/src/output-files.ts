// Where file exporters write: checked before a run starts, created without Node's recursive
// mkdir (which loops forever under a directory where nothing can be created, such as /proc).
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * What is wrong with writing a file at `path`, in words (`"is a directory"`), or undefined
 * when it can be written: the file itself may be replaced, its missing parent directories
 * can be created under a writable existing one, and nothing on the way is a file.
 */
export function outputPathProblem(path: string): string | undefined {
  const absolute = resolve(path);
  const own = statOf(absolute);
  if (own !== undefined) {
    if (own.isDirectory()) return 'is a directory; give a file path';
    if (!canWrite(absolute)) return 'exists and cannot be written (permissions)';
    return undefined;
  }
  let ancestor = dirname(absolute);
  for (;;) {
    const stat = statOf(ancestor);
    if (stat !== undefined) {
      if (!stat.isDirectory()) return `cannot be created: ${ancestor} is a file, not a directory`;
      if (!canWrite(ancestor)) return `cannot be created: nothing can be written under ${ancestor}`;
      return undefined;
    }
    const parent = dirname(ancestor);
    if (parent === ancestor) return `cannot be created: ${ancestor} does not exist`;
    ancestor = parent;
  }
}

/**
 * Checks that a file can really be written at `path` before a run starts: the static
 * checks of {@link outputPathProblem}, then its parent directories are created and a probe
 * file is created and removed beside it (permission bits do not stop root, but a read-only
 * or virtual file system does). The file itself is not touched. Returns the problem in
 * words, or undefined.
 */
export function probeOutputPath(path: string): string | undefined {
  const problem = outputPathProblem(path);
  if (problem !== undefined) return problem;
  const probe = `${resolve(path)}.${process.pid}.probe`;
  try {
    createParentDirectories(path);
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    // Node's fs messages start with the code: "ENOENT: no such file or directory, mkdir '…'".
    return `cannot be written (${(error as Error).message}); choose a path in a directory where files can be created`;
  }
  try {
    unlinkSync(probe);
  } catch {
    // Gone already.
  }
  return undefined;
}

/** Creates the missing parent directories of `path`, one level at a time. */
export function createParentDirectories(path: string): void {
  const missing: string[] = [];
  let directory = dirname(resolve(path));
  while (statOf(directory) === undefined) {
    missing.push(directory);
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      // Created meanwhile by someone else: fine.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    // ENOENT, or ENOTDIR under a file: either way nothing is there.
    return undefined;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
