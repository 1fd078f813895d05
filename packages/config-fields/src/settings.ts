// A setting declared once: its key in a config file, its command-line flag, its help text
// and its schema. A config section and a command's flags are then both derived from the
// same list, so they cannot drift apart.
import * as z from 'zod';
import { formatPath, type IssuePath } from './describe-value.js';
import { nullAsAbsent, strictObject } from './fields.js';

/** One setting of a config section that may also be given as a command-line flag. */
export interface Setting {
  /** Where the value sits in the section: `['ttft_ms']`, or `['faults', 'drop_rate']` for a nested one. */
  readonly path: readonly [string, ...string[]];
  /** The command-line flag without its dashes (`ttft`); absent when the setting has no flag. */
  readonly flag?: string;
  /** One line for `--help` and the README. */
  readonly description: string;
  /** Validates the value written in a config file, and the text given to the flag. */
  readonly schema: z.ZodType;
  /** The default as a user reads it in `--help` (`"150"`); the owner of the settings applies it. */
  readonly defaultText?: string;
}

type Shape = Record<string, z.ZodType>;

/**
 * A strict object schema of a section made of `settings`, each optional. Nested paths become
 * nested strict objects (an explicit `null` counts as absent). `what` names the section in
 * messages ("an object of simulator settings").
 */
export function settingsSchema(settings: readonly Setting[], what: string) {
  const root: Record<string, unknown> = {};
  for (const setting of settings) {
    let level = root;
    const parents = setting.path.slice(0, -1);
    for (const key of parents) {
      let child = level[key] as Record<string, unknown> | undefined;
      if (child === undefined || child instanceof z.ZodType) {
        child = {};
        level[key] = child;
      }
      level = child;
    }
    level[setting.path[setting.path.length - 1]!] = setting.schema.optional();
  }
  const build = (level: Record<string, unknown>, label: string): z.ZodType => {
    const shape: Shape = {};
    for (const [key, value] of Object.entries(level)) {
      shape[key] =
        value instanceof z.ZodType
          ? value
          : z.preprocess(
              nullAsAbsent,
              build(value as Record<string, unknown>, `an object of ${key} settings`).optional(),
            );
    }
    return strictObject(shape, label);
  };
  return build(root, what);
}

/** The settings that have a flag, by flag name. */
export function settingsByFlag(settings: readonly Setting[]): Map<string, Setting> {
  const byFlag = new Map<string, Setting>();
  for (const setting of settings) if (setting.flag !== undefined) byFlag.set(setting.flag, setting);
  return byFlag;
}

/**
 * Builds a section object from flag values (`{ ttft: '200', 'drop-rate': '0.1' }`, keyed by
 * flag name; undefined values are skipped), nested by each setting's path, ready for the
 * schema of {@link settingsSchema}.
 */
export function sectionFromFlags(
  settings: readonly Setting[],
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  for (const setting of settings) {
    if (setting.flag === undefined) continue;
    const value = values[setting.flag];
    if (value === undefined) continue;
    let level = section;
    for (const key of setting.path.slice(0, -1)) {
      level[key] ??= {};
      level = level[key] as Record<string, unknown>;
    }
    level[setting.path[setting.path.length - 1]!] = value;
  }
  return section;
}

/** The flag of the setting at `path` inside its section, for messages about flags. */
export function flagOfPath(settings: readonly Setting[], path: IssuePath): string | undefined {
  const wanted = formatPath(path);
  let best: Setting | undefined;
  for (const setting of settings) {
    const at = formatPath(setting.path);
    if (
      (wanted === at || wanted.startsWith(`${at}.`) || wanted.startsWith(`${at}[`)) &&
      setting.flag
    ) {
      best = setting;
    }
  }
  return best?.flag;
}
