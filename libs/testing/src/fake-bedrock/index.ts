export { startFakeBedrock } from './fake-bedrock.server';
export { fakeEmbedding, fakeTokenCount } from './fake-bedrock.embeddings';
export { verifySigV4 } from './fake-bedrock.signature';
export {
  FAKE_BEDROCK_API_KEY,
  FAKE_BEDROCK_CREDENTIALS,
  FAKE_BEDROCK_REGION,
  type FakeBedrock,
  type FakeBedrockOptions,
  type FakeBedrockScenario,
  type RecordedBedrockRequest,
} from './fake-bedrock.types';
