import { describe, expect, it } from 'vitest';
import {
  classifyBedrockHttpError,
  classifyBedrockStreamError,
  readAwsError,
} from './bedrock-errors.js';

const context = { region: 'eu-west-3', providerLabel: 'bedrock' };

function classify(
  status: number,
  errorType: string | undefined,
  message: string,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
  return classifyBedrockHttpError(status, headers, JSON.stringify({ message }), context);
}

describe('classifyBedrockHttpError', () => {
  it('classifies throttling as rate_limited with the wait the server asks for', () => {
    expect(
      classify(
        429,
        'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
        'Too many requests, please wait before trying again.',
        { 'retry-after': '2' },
      ),
    ).toEqual({
      errorClass: 'rate_limited',
      message:
        'HTTP 429 ThrottlingException: Too many requests, please wait before trying again. (the account quota for this model in eu-west-3; lower the rate or request a quota increase); retry after 2 s',
    });
  });

  it('says that an invalid model identifier may be a model of another region', () => {
    expect(
      classify(400, 'ValidationException', 'The provided model identifier is invalid.'),
    ).toEqual({
      errorClass: 'client_error',
      persistent: true,
      message:
        'HTTP 400 ValidationException: The provided model identifier is invalid. (check the model id, and that the model is offered in region eu-west-3: model ids and inference profiles (us./eu./apac./global. prefixes) differ by region)',
    });
    expect(classify(404, 'ResourceNotFoundException', 'Model not found.').message).toContain(
      'offered in region eu-west-3',
    );
  });

  it('keeps other validation errors as they are', () => {
    expect(
      classify(
        400,
        'ValidationException',
        'Malformed input request: #: required key [max_tokens] not found',
      ),
    ).toEqual({
      errorClass: 'client_error',
      persistent: true,
      message:
        'HTTP 400 ValidationException: Malformed input request: #: required key [max_tokens] not found',
    });
    // A header name spelt as AWS documents it, in a hand-built header object.
    expect(
      classifyBedrockHttpError(
        400,
        { 'X-Amzn-ErrorType': 'ValidationException' },
        '{"message":"bad"}',
        context,
      ).message,
    ).toBe('HTTP 400 ValidationException: bad');
  });

  it('classifies rejected and unpermitted credentials as auth, with what to check', () => {
    const unrecognized = classify(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
    expect(unrecognized.errorClass).toBe('auth');
    expect(unrecognized.persistent).toBe(true);
    expect(unrecognized.message).toContain('the access key id is not recognised');
    const denied = classify(
      403,
      'AccessDeniedException',
      "You don't have access to the model with the specified model ID.",
    );
    expect(denied.message).toContain('access to this model is not enabled in eu-west-3');
    expect(
      classify(
        403,
        'InvalidSignatureException',
        'The request signature we calculated does not match',
      ).message,
    ).toContain('system clock');
    expect(
      classify(
        403,
        'ExpiredTokenException',
        'The security token included in the request is expired',
      ).errorClass,
    ).toBe('auth');
  });

  it('classifies server-side failures as retryable server errors or timeouts', () => {
    expect(classify(500, 'InternalServerException', 'Internal error').errorClass).toBe(
      'server_error',
    );
    expect(
      classify(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.')
        .errorClass,
    ).toBe('server_error');
    const notReady = classify(429, 'ModelNotReadyException', 'Model is not ready for inference.');
    expect(notReady).toEqual({
      errorClass: 'server_error',
      message:
        'HTTP 429 ModelNotReadyException: Model is not ready for inference. (the model is not ready yet; retry shortly)',
    });
    expect(classify(408, 'ModelTimeoutException', 'Model timed out').errorClass).toBe(
      'timeout_total',
    );
    expect(classify(424, 'ModelErrorException', 'The model failed').errorClass).toBe(
      'server_error',
    );
  });

  it('falls back to the status for unknown or missing error types', () => {
    expect(classify(418, 'TeapotException', 'short and stout')).toEqual({
      errorClass: 'client_error',
      message: 'HTTP 418 TeapotException: short and stout',
    });
    expect(classifyBedrockHttpError(502, {}, '<html>Bad Gateway</html>', context)).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 502: <html>Bad Gateway</html>',
    });
  });

  it('names the configured region when the provider has none of its own', () => {
    const result = classifyBedrockHttpError(
      400,
      { 'x-amzn-errortype': 'ValidationException' },
      '{"message":"The provided model identifier is invalid."}',
      { region: undefined, providerLabel: 'bedrock' },
    );
    expect(result.message).toContain('offered in region the configured region');
  });
});

describe('readAwsError', () => {
  it('leaves out the canonical request a signature mismatch quotes, session token and all', () => {
    const token = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
    const body = JSON.stringify({
      message: `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.\n\nThe Canonical String for this request should have been\n'POST\n/model/m/converse\n\nhost:bedrock-runtime.us-east-1.amazonaws.com\nx-amz-security-token:${token}\n'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256'`,
    });
    const classification = classifyBedrockHttpError(
      403,
      { 'x-amzn-errortype': 'InvalidSignatureException' },
      body,
      context,
    );
    expect(classification.message).toBe(
      'HTTP 403 InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. (the signature does not match: check the secret access key, and that the system clock is right)',
    );
    expect(classification.message).not.toContain(token.slice(0, 8));
  });

  it('reads the type from the header or from an awsJson body, and a capitalised Message', () => {
    expect(
      readAwsError(
        { 'x-amzn-errortype': 'ThrottlingException:http://x/' },
        '{"message":"slow down"}',
      ),
    ).toEqual({
      errorType: 'ThrottlingException',
      message: 'slow down',
    });
    expect(
      readAwsError({}, '{"__type":"com.amazon.coral#AccessDeniedException","Message":"no"}'),
    ).toEqual({
      errorType: 'AccessDeniedException',
      message: 'no',
    });
  });
});

describe('classifyBedrockStreamError', () => {
  it.each([
    ['throttlingException', 'rate_limited'],
    ['modelStreamErrorException', 'server_error'],
    ['internalServerException', 'server_error'],
    ['serviceUnavailableException', 'server_error'],
    ['validationException', 'client_error'],
    ['modelTimeoutException', 'timeout_total'],
    ['somethingNewException', 'server_error'],
  ])('classifies %s as %s', (type, errorClass) => {
    expect(classifyBedrockStreamError({ message: 'm', type })).toEqual({
      errorClass,
      message: `error in stream: m (${type})`,
    });
  });
});

describe('error types named after Object members', () => {
  it('are unknown types, not Object.prototype entries', () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(classifyBedrockStreamError({ message: 'x', type }).errorClass).toBe('server_error');
      const http = classify(400, type, 'x');
      expect(http.errorClass).toBe('client_error');
      expect(http.message).not.toContain('[object');
    }
  });
});
