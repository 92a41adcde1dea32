export { startFakeAnthropic } from './fake-anthropic.server';
export {
  FAKE_ANTHROPIC_API_KEY,
  type FakeAnthropic,
  type FakeAnthropicOptions,
  type FakeAnthropicScenario,
  type RecordedRequest,
} from './fake-anthropic.types';
