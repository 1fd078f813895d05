import type { ExporterOption } from '@llm-lens/metrics';
import { InfluxExportError } from './influx-error.js';

/** The variable read for the token when `--influx-token-env` is not given. */
export const DEFAULT_TOKEN_ENV = 'INFLUX_TOKEN';

/** The `influxdb` format's own options, offered by the CLI as `--influx-*` flags. */
export const INFLUX_OPTIONS = {
  'influx-url': {
    type: 'string',
    describe:
      'InfluxDB base URL (http://host:8086): write every request and summary point there too; alone, selects the influxdb format with no file',
    selectsFormat: true,
  },
  'influx-db': {
    type: 'string',
    describe: 'InfluxDB 1.x database to write to (POST /write?db=...)',
  },
  'influx-org': {
    type: 'string',
    describe:
      'InfluxDB 2.x/3.x organization (POST /api/v2/write?org=...&bucket=...), with --influx-bucket',
  },
  'influx-bucket': {
    type: 'string',
    describe: 'InfluxDB 2.x/3.x bucket (or 3.x database), with --influx-org',
  },
  'influx-token-env': {
    type: 'string',
    describe: `Name of the environment variable that holds the InfluxDB token (default ${DEFAULT_TOKEN_ENV}); the token itself is never a flag`,
    default: DEFAULT_TOKEN_ENV,
  },
} as const satisfies Readonly<Record<string, ExporterOption>>;

/** Where and how points are written over HTTP. Holds the token: never print it. */
export interface InfluxHttpTarget {
  /** `v1`: POST /write?db=... (InfluxDB 1.x, and 2.x/3.x's 1.x compatibility API); `v2`: POST /api/v2/write. */
  readonly api: 'v1' | 'v2';
  /** The write endpoint with its query (db or org and bucket, precision=ns). */
  readonly writeUrl: URL;
  /** The write endpoint as messages show it: no user info, nothing secret. */
  readonly displayUrl: string;
  /** `Token <token>`, or undefined to send no Authorization header. */
  readonly authorization: string | undefined;
  /** The token, so that text quoted from a server can have it cut out; undefined without one. */
  readonly token: string | undefined;
}

type OptionValues = Readonly<Record<string, string | number | boolean | undefined>>;

function stringOption(
  options: OptionValues,
  name: keyof typeof INFLUX_OPTIONS,
): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `--${name} needs a value (${INFLUX_OPTIONS[name].describe})`,
    );
  }
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

// A token goes into a header: only visible ASCII fits without undici rejecting the header,
// and undici's own message would then be the place the token leaks from.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

function readToken(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = env[variable]?.trim();
  if (value === undefined || value === '') {
    if (variable === DEFAULT_TOKEN_ENV) return undefined;
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `--influx-token-env names the environment variable ${variable}, which is not set or empty; set it to the InfluxDB token, or leave --influx-token-env out to read ${DEFAULT_TOKEN_ENV}`,
    );
  }
  if (!HEADER_SAFE.test(value)) {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `the token in ${variable} holds a space, a control character or a non-ASCII character, which an HTTP header cannot carry; check the variable's value`,
    );
  }
  return value;
}

/**
 * The HTTP target the `--influx-*` options describe, or undefined when `--influx-url` is not
 * given. Exactly one of `--influx-db` (1.x) and `--influx-org` with `--influx-bucket` (2.x,
 * 3.x) must come with the URL. The token is read from the environment variable named by
 * `--influx-token-env` (default `INFLUX_TOKEN`) and sent as `Authorization: Token <token>`,
 * which 2.x and 3.x take on both APIs, and 1.8+ on /write (with `username:password`).
 */
export function resolveInfluxTarget(
  options: OptionValues,
  env: NodeJS.ProcessEnv = process.env,
): InfluxHttpTarget | undefined {
  const url = stringOption(options, 'influx-url');
  const db = stringOption(options, 'influx-db');
  const org = stringOption(options, 'influx-org');
  const bucket = stringOption(options, 'influx-bucket');
  const tokenEnv = stringOption(options, 'influx-token-env') ?? DEFAULT_TOKEN_ENV;
  if (url === undefined) {
    const given = [db && '--influx-db', org && '--influx-org', bucket && '--influx-bucket'].filter(
      Boolean,
    );
    if (given.length > 0) {
      throw new InfluxExportError(
        'LENS_EXPORT_INFLUX_OPTIONS',
        `${given.join(' and ')} ${given.length === 1 ? 'says' : 'say'} where to write in InfluxDB, but --influx-url is missing; give the server's base URL, e.g. --influx-url http://localhost:8086`,
      );
    }
    return undefined;
  }
  const base = parseBaseUrl(url);
  const displayBase = `${base.origin}${base.pathname}`;
  const v2 = org !== undefined || bucket !== undefined;
  if (db !== undefined && v2) {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `--influx-db (InfluxDB 1.x) and --influx-org/--influx-bucket (InfluxDB 2.x/3.x) were both given for ${displayBase}; give exactly one of them`,
    );
  }
  if (db === undefined && !v2) {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `--influx-url ${displayBase} needs where to write: --influx-db DB for InfluxDB 1.x, or --influx-org ORG with --influx-bucket BUCKET for InfluxDB 2.x/3.x`,
    );
  }
  if (v2 && (org === undefined || bucket === undefined)) {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `${org === undefined ? '--influx-bucket' : '--influx-org'} was given without ${org === undefined ? '--influx-org' : '--influx-bucket'}; InfluxDB 2.x/3.x writes need both (or --influx-db alone for 1.x)`,
    );
  }
  const token = readToken(env, tokenEnv);
  if (v2 && token === undefined) {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `InfluxDB 2.x/3.x writes (--influx-org, --influx-bucket) need a token, and ${tokenEnv} is not set; set it to an API token with write access to bucket ${JSON.stringify(bucket)}`,
    );
  }
  const path = base.pathname.replace(/\/+$/, '');
  const writeUrl = new URL(base.href);
  if (v2) {
    writeUrl.pathname = `${path}/api/v2/write`;
    writeUrl.searchParams.set('org', org!);
    writeUrl.searchParams.set('bucket', bucket!);
  } else {
    writeUrl.pathname = `${path}/write`;
    writeUrl.searchParams.set('db', db!);
  }
  writeUrl.searchParams.set('precision', 'ns');
  // Messages show only the parameters set here: a query the user added may hold u= and p=.
  const display = new URL(writeUrl.href);
  display.search = '';
  for (const name of ['db', 'org', 'bucket', 'precision']) {
    const value = writeUrl.searchParams.get(name);
    if (value !== null) display.searchParams.set(name, value);
  }
  return {
    api: v2 ? 'v2' : 'v1',
    writeUrl,
    displayUrl: display.href,
    authorization: token === undefined ? undefined : `Token ${token}`,
    token,
  };
}

function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `--influx-url ${JSON.stringify(stripCredentials(text))} is not a URL; give the server's base URL, e.g. http://localhost:8086`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    url.username = '';
    url.password = '';
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `--influx-url ${url.href} carried credentials in its user info; put the token in ${DEFAULT_TOKEN_ENV} (or the variable --influx-token-env names) instead`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_OPTIONS',
      `--influx-url ${url.href} is not http:// or https://; give the server's base URL, e.g. http://localhost:8086`,
    );
  }
  return url;
}

/** Text that did not parse as a URL, with anything between `//` and `@` cut out. */
function stripCredentials(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//');
}
