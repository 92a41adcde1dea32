import { thrownBy } from '../test/fixtures';
import { BedrockKeyError, parseBedrockKey } from './bedrock-credentials';
import { bedrockEndpoint, BedrockEndpointError, bedrockModelPath } from './bedrock-endpoint';

describe('bedrockEndpoint', () => {
  it.each<[string, string, string | undefined, { baseUrl: string; region: string }]>([
    ['the public endpoint of the region', '', 'eu-west-3', { baseUrl: 'https://bedrock-runtime.eu-west-3.amazonaws.com', region: 'eu-west-3' }],
    ['an override, signed for the region of the settings', 'http://127.0.0.1:4000/', 'us-east-1', { baseUrl: 'http://127.0.0.1:4000', region: 'us-east-1' }],
    ['the region read from a runtime host name', 'https://bedrock-runtime.ap-northeast-1.amazonaws.com', undefined, { baseUrl: 'https://bedrock-runtime.ap-northeast-1.amazonaws.com', region: 'ap-northeast-1' }],
    ['a FIPS host name', 'https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com', undefined, { baseUrl: 'https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com', region: 'us-gov-west-1' }],
  ])('uses %s', (_name, baseUrl, region, expected) => {
    expect(bedrockEndpoint(baseUrl, region === undefined ? undefined : { region })).toEqual(expected);
  });

  it.each<[string, string, string | undefined]>([
    ['no region and no runtime host', 'http://127.0.0.1:4000', undefined],
    ['a region that is not a region name', '', 'us-east-1.evil.com/x'],
  ])('refuses %s', (_name, baseUrl, region) => {
    expect(thrownBy(() => bedrockEndpoint(baseUrl, region === undefined ? {} : { region }))).toBeInstanceOf(BedrockEndpointError);
  });
});

describe('bedrockModelPath', () => {
  it.each([
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'converse', '/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse'],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'converse-stream',
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream',
    ],
    ["model/../../x?y#z'(*)", 'invoke', '/model/model%2F..%2F..%2Fx%3Fy%23z%27%28%2A%29/invoke'],
  ] as const)('encodes %s as one path segment', (modelId, operation, path) => {
    expect(bedrockModelPath(modelId, operation)).toBe(path);
  });
});

describe('parseBedrockKey', () => {
  it.each<[string, string, object]>([
    ['AWS credentials', '{"accessKeyId":"AKIA1","secretAccessKey":"s3cr3t"}', { kind: 'aws', accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t' }],
    ['AWS credentials with a session token', ' {"accessKeyId":"AKIA1","secretAccessKey":"s","sessionToken":"tok"} ', { kind: 'aws', sessionToken: 'tok' }],
    ['a Bedrock API key', 'ABSKabcdef==', { kind: 'api_key', token: 'ABSKabcdef==' }],
  ])('reads %s', (_name, key, expected) => {
    expect(parseBedrockKey(key)).toMatchObject(expected);
  });

  it.each<[string, string]>([
    ['invalid JSON', '{"accessKeyId":"AKIA1","secretAccessKey":"hunter2-secret'],
    ['a missing secret', '{"accessKeyId":"AKIA1"}'],
    ['a session token of a wrong type', '{"accessKeyId":"AKIA1","secretAccessKey":"hunter2-secret","sessionToken":5}'],
    ['an empty key', '   '],
  ])('refuses %s without quoting the key', (_name, key) => {
    const error = thrownBy(() => parseBedrockKey(key));
    expect(error).toBeInstanceOf(BedrockKeyError);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
