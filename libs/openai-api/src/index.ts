export * from './chat-completion.types';
export * from './openai-error';
export * from './provider-translator.types';
export * from './message-texts';
