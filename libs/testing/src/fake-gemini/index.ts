export { startFakeGemini } from './fake-gemini.server';
export { SKIP_SIGNATURE } from './fake-gemini.validation';
export {
  FAKE_GEMINI_API_KEY,
  type FakeGemini,
  type FakeGeminiOptions,
  type FakeGeminiScenario,
  type FakeVertexAccount,
  type RecordedGeminiRequest,
} from './fake-gemini.types';
