export * from './chat-completion.types';
export * from './openai-error';
