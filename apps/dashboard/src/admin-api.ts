// The admin API client (CONTRACT.md "Admin API"): the dashboard's only way to the gateway.
// Typed calls; an error answer (OpenAI's shape) becomes an AdminApiError carrying its message.

export interface Provider {
  id: string;
  kind: string;
  baseUrl: string;
  enabled: boolean;
  priority: number;
  models: string[];
  /** Kind fields, present when set (CONTRACT.md, provider kinds). */
  project?: string;
  location?: string;
  region?: string;
  apiVersion?: string;
  deployments?: Record<string, string>;
}

export interface ProviderPatch {
  kind?: string;
  baseUrl?: string;
  enabled?: boolean;
  models?: string[];
  project?: string;
  location?: string;
  region?: string;
  apiVersion?: string;
  deployments?: Record<string, string>;
  /** Sent only after the operator confirmed that a base URL on another origin receives the provider's keys. */
  confirmKeyRedirect?: boolean;
}

/** The admin API's 409 code for a base URL change to another origin that was not confirmed. */
export const PROVIDER_REDIRECT_UNCONFIRMED = 'provider_redirect_unconfirmed';

/** A provider key as listed: masked, the key itself never leaves key-vault. */
export interface ProviderKey {
  id: string;
  provider: string;
  name: string;
  last4: string;
  createdAt: string;
  rotatedAt: string | null;
  /** The router's view: in the pool, cooling after a 429, or failing after a 401/403 until rotated; absent when no router answered. */
  status?: 'ok' | 'cooling' | 'failing';
  coolingUntil?: string;
  failingSince?: string;
  failingStatus?: number;
  lastRateLimitedAt?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  allowedModels: string[];
  createdAt: string;
  teamId?: string | null;
  expiresAt?: string | null;
}

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

export interface Budget {
  amountUsd: number;
  period: BudgetPeriod;
}

/** 0 or absent: no limit. */
export interface Limits {
  rpm?: number;
  tpm?: number;
  concurrent?: number;
}

export interface Team {
  id: string;
  name: string;
  allowedModels: string[];
  budget: Budget | null;
  limits: Limits | null;
  createdAt: string;
}

export interface TeamInput {
  name: string;
  allowedModels?: string[];
  budget?: Budget | null;
  limits?: Limits | null;
}

/** GET /admin/v1/teams/{id}/spend: this period's spend against the budget. */
export interface Spend {
  spentUsd: number;
  reservedUsd: number;
  budget: number | null;
  period: BudgetPeriod | null;
  remainingUsd: number | null;
  resetsAt: string | null;
  inFlight: number;
}

/** The answer to creating a gateway API key: the one time the key itself is shown. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export type HealthStatus = 'healthy' | 'degraded' | 'down';

export interface ProviderHealth {
  provider: string;
  status: HealthStatus | string;
  requests: number;
  errorRate: number;
  latencyMs: { p50: number; p95: number };
}

export type FallbackMap = Record<string, string[]>;

export type RoutingStrategy = 'priority' | 'weighted' | 'cost' | 'latency' | 'availability';

export interface RoutingPolicy {
  strategy: RoutingStrategy;
  weights?: Record<string, number>;
  hedge?: { afterMs: number | 'p95'; maxShare?: number };
}

export interface RoutingPolicies {
  default: RoutingPolicy;
  models: Record<string, RoutingPolicy>;
}

/** One router replica's live figures for a provider and model. */
export interface RoutingStatsEntry {
  provider: string;
  model: string;
  ewmaTtftMs: number | null;
  ewmaLatencyMs: number | null;
  errorRate: number;
  latencySamples: number;
  outcomeSamples: number;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/** The admin token was refused (401): the session is over, the operator signs in again. */
export class UnauthorizedError extends AdminApiError {
  constructor(message: string, code: string | null = null) {
    super(message, 401, code);
    this.name = 'UnauthorizedError';
  }
}

/** The message of an error answer: OpenAI's `{"error":{"message",...}}`, else a plain description. */
export function errorFromResponse(status: number, text: string): AdminApiError {
  let message = '';
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body: unknown = JSON.parse(text);
    const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    if (typeof error === 'object' && error !== null) {
      const fields = error as { message?: unknown; code?: unknown; param?: unknown };
      if (typeof fields.message === 'string') message = fields.message;
      if (typeof fields.code === 'string') code = fields.code;
      if (typeof fields.param === 'string') param = fields.param;
    }
  } catch {
    // not JSON: described by the status below
  }
  if (!message) message = `The gateway answered ${status}${text.trim() && text.length <= 200 ? `: ${text.trim()}` : '.'}`;
  return status === 401 ? new UnauthorizedError(message, code) : new AdminApiError(message, status, code, param);
}

export interface AdminApiOptions {
  token: string;
  /** Origin of the gateway; '' (the default) is the page's own origin. */
  baseUrl?: string;
  fetch?: FetchLike;
}

export class AdminApi {
  private readonly token: string;
  private readonly baseUrl: string;
  private readonly fetch: FetchLike;

  constructor(options: AdminApiOptions) {
    this.token = options.token;
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  }

  listProviders(): Promise<Provider[]> {
    return this.request<Provider[]>('GET', '/admin/v1/providers');
  }

  updateProvider(id: string, patch: ProviderPatch): Promise<Provider> {
    return this.request<Provider>('PUT', `/admin/v1/providers/${encodeURIComponent(id)}`, patch);
  }

  setPriority(order: string[]): Promise<{ order: string[] }> {
    return this.request<{ order: string[] }>('PUT', '/admin/v1/routing/priority', { order });
  }

  async getFallbacks(): Promise<FallbackMap> {
    return (await this.request<{ fallbacks: FallbackMap }>('GET', '/admin/v1/routing/fallbacks')).fallbacks;
  }

  async setFallbacks(fallbacks: FallbackMap): Promise<FallbackMap> {
    return (await this.request<{ fallbacks: FallbackMap }>('PUT', '/admin/v1/routing/fallbacks', { fallbacks })).fallbacks;
  }

  getRoutingPolicies(): Promise<RoutingPolicies> {
    return this.request<RoutingPolicies>('GET', '/admin/v1/routing/policies');
  }

  setRoutingPolicies(policies: RoutingPolicies): Promise<RoutingPolicies> {
    return this.request<RoutingPolicies>('PUT', '/admin/v1/routing/policies', policies);
  }

  async getRoutingStats(): Promise<RoutingStatsEntry[]> {
    return (await this.request<{ stats: RoutingStatsEntry[] }>('GET', '/admin/v1/routing/stats')).stats;
  }

  listProviderKeys(): Promise<ProviderKey[]> {
    return this.request<ProviderKey[]>('GET', '/admin/v1/provider-keys');
  }

  addProviderKey(input: { provider: string; key: string; name?: string }): Promise<ProviderKey> {
    return this.request<ProviderKey>('POST', '/admin/v1/provider-keys', input);
  }

  rotateProviderKey(id: string, key: string): Promise<ProviderKey> {
    return this.request<ProviderKey>('POST', `/admin/v1/provider-keys/${encodeURIComponent(id)}/rotate`, { key });
  }

  async deleteProviderKey(id: string): Promise<void> {
    await this.request<undefined>('DELETE', `/admin/v1/provider-keys/${encodeURIComponent(id)}`);
  }

  listApiKeys(): Promise<ApiKey[]> {
    return this.request<ApiKey[]>('GET', '/admin/v1/api-keys');
  }

  listTeams(): Promise<Team[]> {
    return this.request<Team[]>('GET', '/admin/v1/teams');
  }

  createTeam(input: TeamInput): Promise<Team> {
    return this.request<Team>('POST', '/admin/v1/teams', input);
  }

  updateTeam(id: string, input: Partial<TeamInput>): Promise<Team> {
    return this.request<Team>('PUT', `/admin/v1/teams/${encodeURIComponent(id)}`, input);
  }

  async deleteTeam(id: string): Promise<void> {
    await this.request<undefined>('DELETE', `/admin/v1/teams/${encodeURIComponent(id)}`);
  }

  teamSpend(id: string): Promise<Spend> {
    return this.request<Spend>('GET', `/admin/v1/teams/${encodeURIComponent(id)}/spend`);
  }

  createApiKey(input: { name: string; allowedModels?: string[]; teamId?: string }): Promise<CreatedApiKey> {
    return this.request<CreatedApiKey>('POST', '/admin/v1/api-keys', input);
  }

  async deleteApiKey(id: string): Promise<void> {
    await this.request<undefined>('DELETE', `/admin/v1/api-keys/${encodeURIComponent(id)}`);
  }

  providerHealth(): Promise<ProviderHealth[]> {
    return this.request<ProviderHealth[]>('GET', '/admin/v1/analytics/providers');
  }

  /** One call of the admin API; panels with their own API file (models.api.ts) go through it. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (error) {
      throw new AdminApiError(`The gateway could not be reached (${error instanceof Error ? error.message : String(error)}).`, 0);
    }
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AdminApiError(`The gateway answered ${response.status} with a body that is not JSON.`, response.status);
    }
  }
}
