import { formatPath, sectionFromFlags } from '@llm-lens/config-fields';
import {
  SIMULATOR_SETTINGS,
  type SimulatorOptions,
  type SimulatorSettings,
  serveSimulatorUntilSignal,
  simulatorOptionsFromSettings,
  simulatorSettingsSchema,
} from '@llm-lens/providers-mock';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';

export const command = 'serve-mock';
export const describe = 'Run the built-in OpenAI-compatible simulator as a standalone server';

export function builder() {
  return (yargs: Argv) => {
    let withFlags = yargs
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('port', { type: 'number', default: 8000, describe: 'Port (0 = any free port)' })
      .option('write-log', {
        type: 'string',
        describe: 'Append one JSON line per request with the time each token was written',
      });
    // The same settings as a config file's `mock:` block, declared once in providers-mock.
    for (const setting of SIMULATOR_SETTINGS) {
      if (setting.flag === undefined) continue;
      withFlags = withFlags.option(setting.flag, {
        type: 'string',
        describe: `${setting.description}${setting.defaultText === undefined ? '' : ` (default ${setting.defaultText})`}`,
      });
    }
    return withFlags
      .example(
        '$0 serve-mock --port 8000',
        'Then point any OpenAI client at http://127.0.0.1:8000/v1',
      )
      .example(
        '$0 serve-mock --ttft lognormal:300,0.4 --itl normal:25,5 --mode lockstep',
        'A noisier, batching server',
      )
      .example(
        '$0 serve-mock --rate-limit-rate 0.1 --retry-after 2 --mid-stream-error-rate 0.05',
        'With faults: 10% 429s, 5% streams ending in an error event',
      );
  };
}

interface ServeMockArgs {
  host: string;
  port: number;
  writeLog?: string | undefined;
  [flag: string]: unknown;
}

/** The simulator options the flags ask for; a bad value is reported by its flag. */
export function simulatorOptionsFromFlags(args: Record<string, unknown>): SimulatorOptions {
  const section = sectionFromFlags(SIMULATOR_SETTINGS, args);
  const result = simulatorSettingsSchema.safeParse(section);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const at = formatPath(issue.path);
      const setting = SIMULATOR_SETTINGS.find(
        (s) => at === formatPath(s.path) || at.startsWith(`${formatPath(s.path)}.`),
      );
      return `--${setting?.flag ?? at}: ${issue.message}`;
    });
    throw new CliError(
      `invalid command-line flags (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`,
    );
  }
  return simulatorOptionsFromSettings(result.data as SimulatorSettings);
}

export async function handler(args: ServeMockArgs): Promise<number> {
  const options: SimulatorOptions = {
    ...simulatorOptionsFromFlags(args),
    host: args.host,
    port: args.port,
  };
  if (args.writeLog !== undefined) {
    options.recordWrites = true;
    options.writeLogFile = args.writeLog;
  }
  await serveSimulatorUntilSignal(options, {
    onReady: (url) => {
      process.stdout.write(
        `Simulator listening on ${url} — OpenAI-compatible base URL ${url}/v1 (Ctrl-C to stop)\n`,
      );
    },
  });
  return EXIT.ok;
}
