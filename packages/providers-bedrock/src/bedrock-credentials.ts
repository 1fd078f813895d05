import { homedir } from 'node:os';
import { join } from 'node:path';
import { LensProviderError } from '@llm-lens/providers-core';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

/** The environment variable of a Bedrock API key, sent as `Authorization: Bearer`. */
export const BEDROCK_API_KEY_ENV = 'AWS_BEARER_TOKEN_BEDROCK';

/** Static AWS keys, as SigV4 signs with them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials (STS, SSO exports). */
  sessionToken?: string;
}

/** How requests authenticate: SigV4 with static keys, or a Bedrock API key. */
export type BedrockAuth =
  | {
      kind: 'sigv4';
      credentials: AwsCredentials /** Where the keys came from, for messages. */;
      source: string;
    }
  | { kind: 'api_key'; apiKey: string };

/** `auto`: the API key when AWS_BEARER_TOKEN_BEDROCK is set, else SigV4 (as the AWS SDKs do). */
export type BedrockAuthMode = 'auto' | 'sigv4' | 'api_key';

/** What {@link resolveBedrockAccess} reads. */
export interface BedrockAccessOptions {
  /** The provider entry's name, for messages. */
  providerName: string;
  authMode: BedrockAuthMode;
  /** The `region` setting. */
  region?: string;
  /** The `profile` setting. */
  profile?: string;
  /** The `endpoint_url` setting: with an API key, no region is needed then. */
  endpointUrl?: string;
  env: NodeJS.ProcessEnv;
}

/** Credentials and region of a provider entry. */
export interface BedrockAccess {
  auth: BedrockAuth;
  /** Undefined only with an API key and an explicit endpoint, where none is needed. */
  region: string | undefined;
}

/** A region name as AWS spells them (us-east-1, eu-central-2, us-gov-west-1, cn-north-1). */
export const AWS_REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

type Profile = Record<string, string | undefined>;

// Profile keys whose credentials only the AWS SDK's providers resolve (a token exchange, a
// role assumption, a program to run), with how the message names them.
const UNSUPPORTED_PROFILE_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['sso_session', 'IAM Identity Center (SSO)'],
  ['sso_start_url', 'IAM Identity Center (SSO)'],
  ['login_session', 'an AWS console login session'],
  ['role_arn', 'an assumed role'],
  ['credential_process', 'a credential process'],
  ['web_identity_token_file', 'a web identity token'],
  ['credential_source', 'an assumed role'],
];

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function authError(message: string): LensProviderError {
  return new LensProviderError('LENS_PROVIDER_AUTH', message, { errorClass: 'auth' });
}

/** The shared credentials and config files, where the AWS CLI and SDKs look for them. */
export function sharedFilePaths(env: NodeJS.ProcessEnv): {
  credentialsFile: string;
  configFile: string;
} {
  const home = nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? homedir();
  return {
    credentialsFile: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(home, '.aws', 'credentials'),
    configFile: nonEmpty(env.AWS_CONFIG_FILE) ?? join(home, '.aws', 'config'),
  };
}

/** A profile of the shared files, the credentials file's keys over the config file's. */
async function loadProfile(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<{ profile: Profile | undefined; paths: string }> {
  const { credentialsFile, configFile } = sharedFilePaths(env);
  const files = await loadSharedConfigFiles({
    filepath: credentialsFile,
    configFilepath: configFile,
    ignoreCache: true,
  });
  const fromConfig = files.configFile[name];
  const fromCredentials = files.credentialsFile[name];
  const paths = `${credentialsFile} or ${configFile}`;
  if (fromConfig === undefined && fromCredentials === undefined)
    return { profile: undefined, paths };
  return { profile: { ...fromConfig, ...fromCredentials }, paths };
}

function exportHint(profile: string): string {
  const flag = profile === 'default' ? '' : ` --profile ${profile}`;
  return `export the profile's current keys and run again: eval "$(aws configure export-credentials${flag} --format env)" sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN`;
}

function profileCredentials(
  providerName: string,
  profileName: string,
  profile: Profile,
): AwsCredentials {
  for (const [key, kind] of UNSUPPORTED_PROFILE_KEYS) {
    if (nonEmpty(profile[key]) === undefined) continue;
    throw authError(
      `provider "${providerName}": the AWS profile "${profileName}" gets its credentials from ${kind} (${key}), which this adapter does not resolve: it signs requests with static keys only, without the AWS SDK's credential providers. To use the profile, ${exportHint(profileName)}; or set AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key.`,
    );
  }
  const accessKeyId = nonEmpty(profile.aws_access_key_id);
  const secretAccessKey = nonEmpty(profile.aws_secret_access_key);
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = accessKeyId === undefined ? 'aws_access_key_id' : 'aws_secret_access_key';
    throw authError(
      `provider "${providerName}": the AWS profile "${profileName}" has no ${missing}; a profile used here needs aws_access_key_id and aws_secret_access_key (and aws_session_token for temporary keys), or ${exportHint(profileName)}`,
    );
  }
  const credentials: AwsCredentials = { accessKeyId, secretAccessKey };
  const sessionToken = nonEmpty(profile.aws_session_token);
  if (sessionToken !== undefined) credentials.sessionToken = sessionToken;
  return credentials;
}

function environmentCredentials(
  providerName: string,
  env: NodeJS.ProcessEnv,
): AwsCredentials | undefined {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const [set, unset] =
      accessKeyId === undefined
        ? ['AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID']
        : ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
    throw authError(
      `provider "${providerName}": the environment variable ${set} is set but ${unset} is not; set both (and AWS_SESSION_TOKEN for temporary keys), or unset ${set} to use a profile`,
    );
  }
  const credentials: AwsCredentials = { accessKeyId, secretAccessKey };
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  if (sessionToken !== undefined) credentials.sessionToken = sessionToken;
  return credentials;
}

/**
 * Finds a provider entry's credentials and region. Credentials: with `authMode` `auto`, a
 * Bedrock API key in AWS_BEARER_TOKEN_BEDROCK wins (as in the AWS SDKs); SigV4 keys come
 * from the `profile` setting when it is given, else from AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else from the profile AWS_PROFILE (default
 * `default`) of the shared credentials and config files: static keys only. Region: the
 * `region` setting, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region`.
 * Fails with LENS_PROVIDER_AUTH or LENS_PROVIDER_CONFIG and a message that says what to set;
 * no message holds a credential.
 */
export async function resolveBedrockAccess(options: BedrockAccessOptions): Promise<BedrockAccess> {
  const { providerName, env } = options;
  const profileName = options.profile ?? nonEmpty(env.AWS_PROFILE) ?? 'default';
  let loaded: Promise<{ profile: Profile | undefined; paths: string }> | undefined;
  const readProfile = () => {
    loaded ??= loadProfile(profileName, env);
    return loaded;
  };

  let auth: BedrockAuth | undefined;
  const apiKey = nonEmpty(env[BEDROCK_API_KEY_ENV]);
  if (options.authMode === 'api_key' || (options.authMode === 'auto' && apiKey !== undefined)) {
    if (apiKey === undefined) {
      throw authError(
        `provider "${providerName}" has auth: api_key but the environment variable ${BEDROCK_API_KEY_ENV} is not set; set it to a Bedrock API key, or use auth: sigv4 with AWS keys`,
      );
    }
    auth = { kind: 'api_key', apiKey };
  } else {
    const fromEnv =
      options.profile === undefined ? environmentCredentials(providerName, env) : undefined;
    if (fromEnv !== undefined) {
      auth = { kind: 'sigv4', credentials: fromEnv, source: 'the environment' };
    } else {
      const { profile: found, paths } = await readProfile();
      if (found === undefined) {
        const named = options.profile !== undefined || nonEmpty(env.AWS_PROFILE) !== undefined;
        throw authError(
          named
            ? `provider "${providerName}": the AWS profile "${profileName}" is not in ${paths}; name a profile that exists (profile setting or AWS_PROFILE), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`
            : `provider "${providerName}" found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or ${BEDROCK_API_KEY_ENV} to a Bedrock API key, or add a profile with static keys to ${paths} (choose it with the profile setting or AWS_PROFILE)`,
        );
      }
      auth = {
        kind: 'sigv4',
        credentials: profileCredentials(providerName, profileName, found),
        source: `the AWS profile "${profileName}"`,
      };
    }
  }

  let region = options.region;
  let regionSource = 'the region setting';
  if (region === undefined) {
    const variable = ['AWS_REGION', 'AWS_DEFAULT_REGION'].find((name) => nonEmpty(env[name]));
    if (variable !== undefined) {
      region = nonEmpty(env[variable]);
      regionSource = `the environment variable ${variable}`;
    }
  }
  if (region === undefined && !(auth.kind === 'api_key' && options.endpointUrl !== undefined)) {
    region = nonEmpty((await readProfile()).profile?.region);
    regionSource = `the region of the AWS profile "${profileName}"`;
    if (region === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_CONFIG',
        `provider "${providerName}" needs an AWS region: set region in its settings (e.g. region: us-east-1), or the environment variable AWS_REGION (or AWS_DEFAULT_REGION); Bedrock is served per region, at https://bedrock-runtime.<region>.amazonaws.com`,
        { errorClass: 'client_error' },
      );
    }
  }
  if (region !== undefined && !AWS_REGION_PATTERN.test(region)) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `provider "${providerName}": ${regionSource} is ${JSON.stringify(region.slice(0, 40))}, which is not an AWS region name; expected one such as us-east-1 or eu-central-1`,
      { errorClass: 'client_error' },
    );
  }
  return { auth, region };
}
