import { generateKeyPairSync } from 'node:crypto';
import { Fault } from '@ai-gateway/proto';
import { decodeGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { credentialGrpcError } from './gemini-credentials';
import { VertexTokenCache, type TokenExchangeAnswer } from './vertex-token.cache';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const serviceAccount = JSON.stringify({
  type: 'service_account',
  client_email: 'gw@proj.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  token_uri: 'https://oauth2.googleapis.com/token',
});
const noSecrets = { register: () => undefined, forget: () => undefined };

/** What the router reads when the token endpoint answers `answer`. */
async function failureOf(answer: TokenExchangeAnswer) {
  const cache = new VertexTokenCache(async () => answer, noSecrets);
  const error = await cache.accessToken(serviceAccount, new AbortController().signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  const shape = credentialGrpcError('vertex-eu', error);
  if (!shape) throw new Error(`not a credential error: ${String(error)}`);
  return decodeGrpcError(shape);
}

describe('credentialGrpcError (Vertex token endpoint answers)', () => {
  it.each<[number, string]>([
    [400, '{"error":"invalid_grant","error_description":"Invalid JWT Signature."}'],
    [401, '{"error":"invalid_client"}'],
    [403, '{"error":"access_denied"}'],
  ])('makes HTTP %i a refused key: 401, not retried', async (status, text) => {
    const failure = await failureOf({ status, text });
    expect(failure.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(failure.detail).toMatchObject({ upstreamHttpStatus: 401, openaiErrorType: 'authentication_error', openaiErrorCode: 'invalid_api_key', retryable: false });
  });

  it.each<[number, number, GrpcStatus]>([
    [429, 429, GrpcStatus.RESOURCE_EXHAUSTED],
    [408, 503, GrpcStatus.UNAVAILABLE],
    [500, 503, GrpcStatus.UNAVAILABLE],
    [503, 503, GrpcStatus.UNAVAILABLE],
  ])('makes HTTP %i the endpoint failing (upstream %i, retryable), never the key', async (status, upstreamStatus, code) => {
    const failure = await failureOf({ status, text: status === 429 ? '{"error":"rate_limit_exceeded"}' : '<html>Service Unavailable</html>' });
    expect(failure.code).toBe(code);
    expect(failure.detail).toMatchObject({ upstreamHttpStatus: upstreamStatus, openaiErrorCode: 'vertex_token_unavailable', retryable: true, fault: Fault.FAULT_PROVIDER_HTTP });
    expect(failure.message).toMatch(new RegExp(`^provider vertex-eu: the Vertex token endpoint failed \\(HTTP ${status}`));
  });

  it('makes a 200 without a usable token the endpoint failing, never the key', async () => {
    const failure = await failureOf({ status: 200, text: '{"expires_in":3599}' });
    expect(failure.detail).toMatchObject({ upstreamHttpStatus: 503, retryable: true });
  });
});
