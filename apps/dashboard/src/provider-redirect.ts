// A provider's base URL moving to another origin takes the provider's keys with it: the question
// the operator answers before the dashboard sends "confirmKeyRedirect".
import type { Provider } from './admin-api.js';

/** Whether a new base URL moves the provider to another origin (scheme, host or port), as the gateway judges it. */
export function movesToAnotherOrigin(current: string, next: string): boolean {
  try {
    return new URL(current).origin !== new URL(next).origin;
  } catch {
    return current !== next;
  }
}

/** The question asked before a provider moves to another origin: where its keys go from now on. */
export function redirectQuestion(provider: Pick<Provider, 'id' | 'baseUrl'>, baseUrl: string): string {
  const origin = (url: string): string => {
    try {
      return new URL(url).origin;
    } catch {
      return url;
    }
  };
  return `Move ${provider.id} from ${origin(provider.baseUrl)} to ${origin(baseUrl)}? Every request to ${provider.id} then sends its provider keys to ${origin(baseUrl)}.`;
}
