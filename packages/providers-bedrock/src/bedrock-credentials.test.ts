import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensProviderError } from '@llm-lens/providers-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BedrockAccessOptions, resolveBedrockAccess } from './bedrock-credentials.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
const PROFILE_SECRET = 'profile-secret-0123456789abcdefEXAMPLE';
const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl';

let dir: string;
let files: NodeJS.ProcessEnv;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bedrock-credentials-'));
  writeFileSync(
    join(dir, 'credentials'),
    [
      '[default]',
      'aws_access_key_id = AKIADEFAULTEXAMPLE',
      `aws_secret_access_key = ${PROFILE_SECRET}`,
      '',
      '[bench]',
      'aws_access_key_id = AKIABENCHEXAMPLE',
      `aws_secret_access_key = ${PROFILE_SECRET}`,
      `aws_session_token = ${TOKEN}`,
      '',
      '[half]',
      'aws_access_key_id = AKIAHALFEXAMPLE',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'config'),
    [
      '[default]',
      'region = eu-central-1',
      '',
      '[profile bench]',
      'region = ap-southeast-2',
      '',
      '[profile work-sso]',
      'sso_session = corp',
      'sso_account_id = 123456789012',
      'sso_role_name = Bench',
      'region = us-west-2',
      '',
      '[profile role]',
      'role_arn = arn:aws:iam::123456789012:role/Bench',
      'source_profile = default',
    ].join('\n'),
  );
  files = {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'config'),
  };
});

function resolve(options: Partial<BedrockAccessOptions> & { env: NodeJS.ProcessEnv }) {
  return resolveBedrockAccess({ providerName: 'bedrock', authMode: 'auto', ...options });
}

async function failure(promise: Promise<unknown>): Promise<LensProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LensProviderError);
  const lensError = error as LensProviderError;
  for (const secret of [SECRET, TOKEN, PROFILE_SECRET, API_KEY]) {
    expect(lensError.message).not.toContain(secret);
  }
  return lensError;
}

const noFiles = {
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
};

describe('resolveBedrockAccess', () => {
  it('signs with the keys of the environment, session token included', async () => {
    const access = await resolve({
      env: {
        ...files,
        AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE',
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: TOKEN,
        AWS_REGION: 'us-east-1',
      },
    });
    expect(access).toEqual({
      auth: {
        kind: 'sigv4',
        credentials: {
          accessKeyId: 'AKIAENVEXAMPLE',
          secretAccessKey: SECRET,
          sessionToken: TOKEN,
        },
        source: 'the environment',
      },
      region: 'us-east-1',
    });
  });

  it('prefers a Bedrock API key, as the AWS SDKs do, unless auth says sigv4', async () => {
    const env = {
      ...files,
      AWS_BEARER_TOKEN_BEDROCK: API_KEY,
      AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_REGION: 'us-east-1',
    };
    expect((await resolve({ env })).auth).toEqual({ kind: 'api_key', apiKey: API_KEY });
    expect((await resolve({ env, authMode: 'sigv4' })).auth.kind).toBe('sigv4');
    const missing = await failure(
      resolve({ env: { AWS_REGION: 'us-east-1' }, authMode: 'api_key' }),
    );
    expect(missing.code).toBe('LENS_PROVIDER_AUTH');
    expect(missing.message).toBe(
      'provider "bedrock" has auth: api_key but the environment variable AWS_BEARER_TOKEN_BEDROCK is not set; set it to a Bedrock API key, or use auth: sigv4 with AWS keys',
    );
  });

  it('needs no region with an API key and an explicit endpoint', async () => {
    const access = await resolve({
      env: { ...noFiles, AWS_BEARER_TOKEN_BEDROCK: API_KEY },
      endpointUrl: 'http://127.0.0.1:9',
    });
    expect(access).toEqual({ auth: { kind: 'api_key', apiKey: API_KEY }, region: undefined });
  });

  it('reads static keys and the region of the default profile from the shared files', async () => {
    expect(await resolve({ env: files })).toEqual({
      auth: {
        kind: 'sigv4',
        credentials: { accessKeyId: 'AKIADEFAULTEXAMPLE', secretAccessKey: PROFILE_SECRET },
        source: 'the AWS profile "default"',
      },
      region: 'eu-central-1',
    });
  });

  it('takes the profile setting over AWS_PROFILE and over keys in the environment', async () => {
    const env = {
      ...files,
      AWS_PROFILE: 'default',
      AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
    };
    const access = await resolve({ env, profile: 'bench' });
    expect(access).toEqual({
      auth: {
        kind: 'sigv4',
        credentials: {
          accessKeyId: 'AKIABENCHEXAMPLE',
          secretAccessKey: PROFILE_SECRET,
          sessionToken: TOKEN,
        },
        source: 'the AWS profile "bench"',
      },
      region: 'ap-southeast-2',
    });
  });

  it('explains how to export the keys of an SSO or role profile', async () => {
    const sso = await failure(resolve({ env: { ...files, AWS_PROFILE: 'work-sso' } }));
    expect(sso.code).toBe('LENS_PROVIDER_AUTH');
    expect(sso.message).toBe(
      'provider "bedrock": the AWS profile "work-sso" gets its credentials from IAM Identity Center (SSO) (sso_session), which this adapter does not resolve: it signs requests with static keys only, without the AWS SDK\'s credential providers. To use the profile, export the profile\'s current keys and run again: eval "$(aws configure export-credentials --profile work-sso --format env)" sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; or set AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key.',
    );
    const role = await failure(resolve({ env: files, profile: 'role' }));
    expect(role.message).toContain('gets its credentials from an assumed role (role_arn)');
  });

  it('names what is missing: half a key pair, an unknown profile, no credentials at all', async () => {
    expect(
      (await failure(resolve({ env: { ...files, AWS_SECRET_ACCESS_KEY: SECRET } }))).message,
    ).toBe(
      'provider "bedrock": the environment variable AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both (and AWS_SESSION_TOKEN for temporary keys), or unset AWS_SECRET_ACCESS_KEY to use a profile',
    );
    expect((await failure(resolve({ env: files, profile: 'half' }))).message).toContain(
      'the AWS profile "half" has no aws_secret_access_key',
    );
    expect((await failure(resolve({ env: { ...files, AWS_PROFILE: 'nope' } }))).message).toBe(
      `provider "bedrock": the AWS profile "nope" is not in ${files.AWS_SHARED_CREDENTIALS_FILE} or ${files.AWS_CONFIG_FILE}; name a profile that exists (profile setting or AWS_PROFILE), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
    expect((await failure(resolve({ env: noFiles }))).message).toBe(
      'provider "bedrock" found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key, or add a profile with static keys to /nonexistent/credentials or /nonexistent/config (choose it with the profile setting or AWS_PROFILE)',
    );
  });

  it('takes the region from the setting, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile', async () => {
    const keys = { ...files, AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET };
    const env = { ...keys, AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-east-2' };
    expect((await resolve({ env, region: 'eu-north-1' })).region).toBe('eu-north-1');
    expect((await resolve({ env })).region).toBe('us-west-2');
    expect((await resolve({ env: { ...keys, AWS_DEFAULT_REGION: 'us-east-2' } })).region).toBe(
      'us-east-2',
    );
    expect((await resolve({ env: keys })).region).toBe('eu-central-1');
  });

  it('fails with a clear message when no region is set anywhere, or one is misspelt', async () => {
    const keys = { ...noFiles, AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET };
    const none = await failure(resolve({ env: keys }));
    expect(none.code).toBe('LENS_PROVIDER_CONFIG');
    expect(none.message).toBe(
      'provider "bedrock" needs an AWS region: set region in its settings (e.g. region: us-east-1), or the environment variable AWS_REGION (or AWS_DEFAULT_REGION); Bedrock is served per region, at https://bedrock-runtime.<region>.amazonaws.com',
    );
    const misspelt = await failure(resolve({ env: { ...keys, AWS_REGION: 'US East 1' } }));
    expect(misspelt.message).toBe(
      'provider "bedrock": the environment variable AWS_REGION is "US East 1", which is not an AWS region name; expected one such as us-east-1 or eu-central-1',
    );
  });
});
