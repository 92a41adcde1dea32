export { startLiteLlmProxy, liteLlmBinary, type LiteLlmModel, type LiteLlmProxy } from './litellm-proxy';
