/** How a Bedrock provider key authenticates: AWS credentials (SigV4) or a Bedrock API key (bearer). */
export type BedrockCredentials =
  | { kind: 'aws'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: 'api_key'; token: string };

/** The stored key cannot be used; the message never quotes it. */
export class BedrockKeyError extends Error {}

/**
 * The provider key as stored (CONTRACT.md): `{"accessKeyId","secretAccessKey","sessionToken"?}`
 * as JSON, or any other string, a Bedrock API key. A JSON object missing either field is refused
 * rather than sent as a bearer token.
 */
export function parseBedrockKey(key: string): BedrockCredentials {
  const trimmed = key.trim();
  if (!trimmed.startsWith('{')) {
    if (trimmed === '') throw new BedrockKeyError('the Bedrock provider key is empty');
    return { kind: 'api_key', token: trimmed };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new BedrockKeyError('the Bedrock provider key starts like JSON credentials but is not valid JSON');
  }
  const { accessKeyId, secretAccessKey, sessionToken } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw new BedrockKeyError('the Bedrock provider key must hold a non-empty "accessKeyId" and "secretAccessKey"');
  }
  if (sessionToken !== undefined && typeof sessionToken !== 'string') {
    throw new BedrockKeyError('the Bedrock provider key\'s "sessionToken" must be a string');
  }
  return { kind: 'aws', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
