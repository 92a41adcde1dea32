export * from './openai-upstream.request';
export * from './openai-errors';
export * from './openai-rate-limits';
export * from './openai-stream.parser';
export * from './openai.adapter';
