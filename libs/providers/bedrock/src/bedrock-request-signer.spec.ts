import { FAKE_BEDROCK_CREDENTIALS, verifySigV4 } from '@ai-gateway/testing';
import { authorizedHeaders } from './bedrock-request-signer';

const URL_OF_PROFILE = new URL('http://127.0.0.1:4711/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/converse');
const BODY = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
const UNSIGNED = { url: URL_OF_PROFILE, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: BODY };

describe('authorizedHeaders', () => {
  it('signs with SigV4 (service bedrock, the session token included) so that a recomputation from the credentials agrees', async () => {
    const headers = await authorizedHeaders(UNSIGNED, { kind: 'aws', ...FAKE_BEDROCK_CREDENTIALS }, 'us-east-1');
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK7EXMPL\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-security-token, Signature=[0-9a-f]{64}$/);
    expect(headers['x-amz-security-token']).toBe(FAKE_BEDROCK_CREDENTIALS.sessionToken);
    const received = { method: 'POST', url: `${URL_OF_PROFILE.pathname}`, headers: { ...lower(headers), host: URL_OF_PROFILE.host }, body: BODY };
    await expect(verifySigV4(received, [FAKE_BEDROCK_CREDENTIALS], 'us-east-1', 'bedrock')).resolves.toEqual({ ok: true });
    await expect(verifySigV4({ ...received, body: BODY.replace('Hi', 'Ho') }, [FAKE_BEDROCK_CREDENTIALS], 'us-east-1', 'bedrock')).resolves.toMatchObject({ ok: false, errorType: 'InvalidSignatureException' });
    await expect(verifySigV4(received, [FAKE_BEDROCK_CREDENTIALS], 'eu-west-1', 'bedrock')).resolves.toMatchObject({ ok: false });
  });

  it('signs for the time it is called: a signature made 20 minutes ago is refused as expired', async () => {
    const stale = await authorizedHeaders(UNSIGNED, { kind: 'aws', ...FAKE_BEDROCK_CREDENTIALS }, 'us-east-1', new Date(Date.now() - 20 * 60_000));
    const received = { method: 'POST', url: URL_OF_PROFILE.pathname, headers: { ...lower(stale), host: URL_OF_PROFILE.host }, body: BODY };
    await expect(verifySigV4(received, [FAKE_BEDROCK_CREDENTIALS], 'us-east-1', 'bedrock')).resolves.toMatchObject({ ok: false, message: expect.stringMatching(/expired/) });
  });

  it('sends a Bedrock API key as a bearer token and signs nothing', async () => {
    const headers = await authorizedHeaders(UNSIGNED, { kind: 'api_key', token: 'ABSKtoken' }, 'us-east-1');
    expect(headers).toEqual({ 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer ABSKtoken' });
  });
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
