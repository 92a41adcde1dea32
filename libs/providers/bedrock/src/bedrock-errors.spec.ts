import { bedrockHttpError, bedrockStreamException } from './bedrock-errors';

const header = (type: string) => ({ 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
const body = (message: string) => JSON.stringify({ message });

describe('bedrockHttpError', () => {
  it.each<[string, number, Record<string, string>, string, object]>([
    ['ThrottlingException', 429, header('ThrottlingException'), body('Too many requests'), { status: 429, upstreamStatus: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', retryable: true, message: 'Too many requests' }],
    ['ValidationException', 400, header('ValidationException'), body('Malformed input request'), { status: 400, upstreamStatus: 400, type: 'invalid_request_error', code: null, retryable: false }],
    ['ValidationException over the context window', 400, header('ValidationException'), body('Input is too long for requested model.'), { status: 400, code: 'context_length_exceeded', retryable: false }],
    ['AccessDeniedException', 403, header('AccessDeniedException'), body("You don't have access to the model"), { status: 403, upstreamStatus: 403, type: 'permission_error', retryable: false }],
    ['UnrecognizedClientException (unknown key)', 403, header('UnrecognizedClientException'), body('The security token included in the request is invalid.'), { status: 401, upstreamStatus: 403, type: 'authentication_error', code: 'invalid_api_key' }],
    ['InvalidSignatureException (wrong secret)', 403, header('InvalidSignatureException'), body('signature mismatch'), { status: 401, upstreamStatus: 403, type: 'authentication_error' }],
    ['ExpiredTokenException', 403, header('ExpiredTokenException'), body('The security token included in the request is expired'), { status: 401, upstreamStatus: 403 }],
    ['ResourceNotFoundException', 404, header('ResourceNotFoundException'), body('Model not found'), { status: 404, upstreamStatus: 404, code: 'model_not_found' }],
    ['ModelErrorException (424) as a provider failure', 424, header('ModelErrorException'), body('The model failed'), { status: 502, upstreamStatus: 502, code: 'model_error', retryable: true }],
    ['ModelTimeoutException', 408, header('ModelTimeoutException'), body('timed out'), { status: 504, upstreamStatus: 408, type: 'timeout_error', retryable: true }],
    ['ModelNotReadyException', 429, header('ModelNotReadyException'), body('not ready'), { status: 503, upstreamStatus: 503, code: 'model_not_ready', retryable: true }],
    ['ServiceUnavailableException', 503, header('ServiceUnavailableException'), body('unavailable'), { status: 503, upstreamStatus: 503, retryable: true }],
    ['InternalServerException', 500, header('InternalServerException'), body('internal'), { status: 502, upstreamStatus: 500, type: 'api_error', retryable: true }],
    ['ServiceQuotaExceededException', 400, header('ServiceQuotaExceededException'), body('quota'), { status: 429, upstreamStatus: 429, code: 'quota_exceeded', retryable: true }],
    ['no header, by status (429)', 429, {}, 'not json', { status: 429, upstreamStatus: 429, message: 'Bedrock returned HTTP 429.' }],
    ['no header, by status (502 from a proxy)', 502, {}, '<html>', { status: 502, upstreamStatus: 502, retryable: true }],
    ['a Message field (capital M)', 400, header('ValidationException'), JSON.stringify({ Message: 'capital' }), { message: 'capital' }],
  ])('maps %s', (_name, status, headers, text, expected) => {
    expect(bedrockHttpError(status, text, headers)).toMatchObject(expected);
  });

  it('keeps at most 2,000 characters of a provider message', () => {
    expect(bedrockHttpError(400, body('x'.repeat(100_000)), header('ValidationException')).message).toHaveLength(2_000);
  });
});

describe('bedrockStreamException', () => {
  it.each<[string, object]>([
    ['throttlingException', { status: 429, upstreamStatus: 429, retryable: true }],
    ['modelStreamErrorException', { status: 502, upstreamStatus: 502, retryable: true }],
    ['serviceUnavailableException', { status: 503, upstreamStatus: 503, retryable: true }],
    ['internalServerException', { status: 502, upstreamStatus: 500, retryable: true }],
    ['validationException', { status: 400, upstreamStatus: 400, retryable: false }],
    ['somethingNewException', { status: 502, upstreamStatus: 500, retryable: true }],
  ])('maps the %s frame', (type, expected) => {
    expect(bedrockStreamException(type, Buffer.from(body('m')))).toMatchObject({ ...expected, message: 'm' });
  });
});
