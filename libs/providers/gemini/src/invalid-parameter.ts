import { OpenAiRequestError } from '@ai-gateway/openai-api';

/** A 400 naming the OpenAI parameter that cannot be sent to Gemini. */
export function invalidParameter(param: string, message: string): OpenAiRequestError {
  return new OpenAiRequestError(message, 400, 'invalid_request_error', param, 'invalid_parameter');
}
