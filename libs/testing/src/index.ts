export * from './find-binary';
export * from './expect-eventually';
export * from './nats-server';
export * from './fake-openai';
export { startFakeAnthropic, FAKE_ANTHROPIC_API_KEY, type FakeAnthropic, type FakeAnthropicOptions, type FakeAnthropicScenario } from './fake-anthropic';
export * from './local-kms';
export * from './metric-references';
export * from './stack';
export * from './dashboard';
