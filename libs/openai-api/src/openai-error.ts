// OpenAI's error body: {"error":{"message","type","param","code"}}, all four keys present.

export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_exceeded'
  | 'insufficient_quota'
  | 'server_error'
  | 'api_error'
  | 'timeout_error'
  | 'service_unavailable';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAiErrorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** A translation or validation failure that maps to an OpenAI-shaped client error. */
export class OpenAiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'OpenAiRequestError';
  }

  toBody(): OpenAiErrorBody {
    return openAiErrorBody(this.message, this.type, this.code, this.param);
  }
}
