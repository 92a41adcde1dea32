import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isKvWriteConflict, KvBatchConflict, mirrorKv, type KV, type KvBatchWriter, type KvEntry } from '@ai-gateway/nats';
import type { ApiKey, Budget, ConfigSnapshot, Limits, ModelOverride, Provider, ProviderSettings, Team } from '@ai-gateway/proto';
import { MODEL_OVERRIDE_LIMITS, modelOverrideProblem } from '@ai-gateway/model-catalog';
import { checkRoutingPolicies, DEFAULT_ROUTING_POLICIES, errorActionsProblem, RoutingPolicyError, routingPoliciesToProto, type RoutingPolicies } from '@ai-gateway/routing';
import type { Logger } from 'pino';
import {
  EntryShapeError,
  readStoredApiKey,
  readStoredFallbacks,
  readStoredModelOverride,
  readStoredPriority,
  readStoredProvider,
  readStoredTeam,
  readStoredTextMap,
  type StoredProvider,
} from './config-entry.validation';
import { validateFallbackMap } from './fallback-map.validation';
import type { ProviderRedirectPolicy, RedirectDecision } from './provider-redirect.policy';
import { emptySettings, PROVIDER_KINDS, ProviderSettingsError, validateProviderSettings, type SettingsUpdate } from './provider-settings.validation';
import { allowedModelsProblem, budgetProblem, expiryProblem, limitsProblem } from './spend-policy.validation';

const PROVIDER_PREFIX = 'providers.';
const API_KEY_PREFIX = 'apikeys.';
const TEAM_PREFIX = 'teams.';
/** Model overrides by base64url of the name: a model name may hold characters a KV key may not (`:`, `@`, `+`). */
const MODEL_OVERRIDE_PREFIX = 'models.';
/**
 * Rewritten in the same atomic batch as each new model override, on the condition that it is still
 * the revision this replica has applied: creations are serialised across replicas, and each one's
 * count of overrides includes every creation before it (see putModelOverride).
 */
const MODEL_OVERRIDES_GATE_KEY = 'model-overrides.gate';
const PRIORITY_KEY = 'routing.priority';
const FALLBACKS_KEY = 'routing.fallbacks';
const ERROR_ACTIONS_KEY = 'routing.error-actions';
const POLICIES_KEY = 'routing.policies';
/** Concurrent writes to one provider or team a call rides out (each read again and made on top). */
const MAX_WRITE_CONFLICTS = 10;
/**
 * How long a write waits for this replica's watch to apply it once JetStream acknowledged it: the
 * watch delivers within milliseconds; past this the watch is stalled, and the caller gets
 * ConfigWriteUnapplied instead of a call that never answers.
 */
export const WRITE_APPLY_TIMEOUT_MS = 10_000;
/** The most models one provider declares once models are added to it (each is in every snapshot). */
export const MAX_PROVIDER_MODELS = 1_000;

export { PROVIDER_KINDS };

export class ConfigValidationError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

/**
 * A write JetStream acknowledged that this replica's watch did not apply in time: the change is
 * durable (other replicas may already serve it) but this replica cannot answer with it.
 */
export class ConfigWriteUnapplied extends Error {
  constructor(timeoutMs: number) {
    super(`the change was stored but this config replica did not apply it within ${timeoutMs} ms (its watch of the config bucket is behind); read the config back before trying again`);
  }
}

/** The team still owns keys: deleting it would leave them without their team's budget and limits. */
export class TeamInUse extends Error {}

/** What a team or a key may spend and how fast; checked at ingress's admission. */
export interface SpendPolicy {
  allowedModels: string[];
  budget?: Budget;
  limits?: Limits;
}

export interface NewApiKey extends SpendPolicy {
  name: string;
  teamId?: string;
  expiresAt?: string;
}

/** A base URL change to a new origin that was neither confirmed nor allow-listed. */
export class ProviderRedirectRefused extends Error {
  constructor(
    readonly providerId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(
      `changing the base URL of provider "${providerId}" from ${from} to ${to} sends its provider keys to the new host; ` +
        'confirm with "confirmKeyRedirect": true, or list the host in PROVIDER_HOST_ALLOWLIST',
    );
  }
}

/** A base URL change to a new origin that went through (confirmed or allow-listed): audited by the caller. */
export type ProviderRedirect = Extract<RedirectDecision, { kind: 'redirect' }>;

/**
 * The configuration held in a NATS KV bucket, mirrored in memory by a KV watch: every
 * replica of config sees every change, writes are acknowledged by JetStream before they
 * return, and each change produces a new snapshot for watchers.
 */
export class ConfigStore {
  private providers = new Map<string, StoredProvider>();
  /** The KV revision of each provider, team and model override entry as applied here (readable or not): what a compare-and-set write expects. */
  private readonly revisions = new Map<string, number>();
  /** The last write queued for each provider: this replica writes one provider at a time. */
  private readonly providerWrites = new Map<string, Promise<void>>();
  private apiKeys = new Map<string, ApiKey>();
  private teams = new Map<string, Team>();
  private modelOverrides = new Map<string, ModelOverride>();
  /** Last revision of MODEL_OVERRIDES_GATE_KEY in the bucket as applied here (0: never written). */
  private modelOverridesGate = 0;
  private priority: string[] = [];
  private fallbacks: Record<string, string[]> = {};
  private errorActions: Record<string, string> = {};
  private policies: RoutingPolicies = DEFAULT_ROUTING_POLICIES;
  private revision = 0;
  private snapshot: ConfigSnapshot = {
    revision: 0,
    providers: [],
    fallbacks: {},
    apiKeys: [],
    errorActions: {},
    teams: [],
    routingPolicies: routingPoliciesToProto(DEFAULT_ROUTING_POLICIES),
    modelOverrides: [],
  };
  private readonly listeners = new Set<(snapshot: ConfigSnapshot) => void>();
  /** How to end each watcher (its stream completes): endWatches(), on drain. */
  private readonly enders = new Set<() => void>();
  private readonly waiters: Array<{ revision: number; resolve: () => void }> = [];
  private stopWatch: (() => void) | undefined;
  private initialised = false;

  constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
    private readonly redirects: ProviderRedirectPolicy,
    /** Atomic batches to the bucket (nats-server 2.12+); without them the override limit is checked per replica only. */
    private readonly batches?: KvBatchWriter,
    private readonly applyTimeoutMs = WRITE_APPLY_TIMEOUT_MS,
  ) {}

  async start(): Promise<void> {
    this.stopWatch = await mirrorKv(this.kv, '>', (entry) => this.apply(entry), this.logger);
    this.initialised = true;
    this.publish();
  }

  stop(): void {
    this.stopWatch?.();
  }

  current(): ConfigSnapshot {
    return this.snapshot;
  }

  /** `end` is called when endWatches() ends every watcher. */
  subscribe(listener: (snapshot: ConfigSnapshot) => void, end?: () => void): () => void {
    this.listeners.add(listener);
    if (end) this.enders.add(end);
    return () => {
      this.listeners.delete(listener);
      if (end) this.enders.delete(end);
    };
  }

  /**
   * Ends every watch stream (on drain, once new calls are refused): a watch is a subscription,
   * not a request in flight, and would otherwise hold the drain until DRAIN_TIMEOUT_MS. Watchers
   * reconnect (libs/config-client) to another replica, or to this one started again, and keep
   * their last snapshot meanwhile.
   */
  endWatches(): void {
    for (const end of [...this.enders]) end();
  }

  /**
   * Creates the default providers on first start; create() is compare-and-set, so replicas agree.
   * Without a priority list providers are ordered by creation time (then id): each seed's time is
   * made later than the one before it, so two seeds created within one millisecond keep the order
   * of `defaults` instead of falling back to their ids' order.
   */
  async seedDefaults(defaults: Array<Pick<Provider, 'id' | 'kind' | 'baseUrl' | 'settings'>>): Promise<void> {
    let previous = 0;
    for (const provider of defaults) {
      if (this.providers.has(provider.id)) continue;
      const createdAtMs = Math.max(Date.now(), previous + 1);
      previous = createdAtMs;
      const stored: StoredProvider = { settings: emptySettings(), ...provider, enabled: true, models: [], createdAt: new Date(createdAtMs).toISOString() };
      try {
        await this.waitFor(await this.kv.create(PROVIDER_PREFIX + provider.id, JSON.stringify(stored)));
      } catch {
        // another replica created it first
      }
    }
  }

  async putProvider(input: {
    id: string;
    kind?: string;
    baseUrl?: string;
    enabled?: boolean;
    models?: string[];
    settings?: SettingsUpdate;
    confirmKeyRedirect?: boolean;
    /** Added to the stored models (those not there yet) when the write happens. */
    addModels?: string[];
  }): Promise<{ provider: Provider; created: boolean; redirect?: ProviderRedirect }> {
    // One write per provider at a time in this replica; a compare-and-set against the entry
    // applied here catches another replica's write in between: read again, made again on top.
    const previous = this.providerWrites.get(input.id) ?? Promise.resolve();
    const write = previous.then(async () => {
      for (let attempt = 1; ; attempt++) {
        const written = await this.tryPutProvider(input);
        if (written !== 'conflict') return written;
        if (attempt >= MAX_WRITE_CONFLICTS) throw new Error(`provider ${input.id}: ${MAX_WRITE_CONFLICTS} concurrent writes in a row; try again`);
        await this.catchUp(PROVIDER_PREFIX + input.id);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    });
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.providerWrites.set(input.id, settled);
    void settled.then(() => {
      if (this.providerWrites.get(input.id) === settled) this.providerWrites.delete(input.id);
    });
    return write;
  }

  private async tryPutProvider(input: Parameters<ConfigStore['putProvider']>[0]): Promise<{ provider: Provider; created: boolean; redirect?: ProviderRedirect } | 'conflict'> {
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(input.id)) {
      throw new ConfigValidationError('provider id must be 1-63 lowercase letters, digits, "-" or "_"');
    }
    const existing = this.providers.get(input.id);
    const kind = input.kind ?? existing?.kind;
    if (!kind) throw new ConfigValidationError(`provider "${input.id}" is new: "kind" is required (${PROVIDER_KINDS.join(', ')})`);
    if (!PROVIDER_KINDS.includes(kind)) {
      throw new ConfigValidationError(`unknown provider kind "${kind}" (known: ${PROVIDER_KINDS.join(', ')})`, 'kind');
    }
    // A kind change starts from no fields: another kind's would be refused or misread.
    const currentSettings = existing && kind === existing.kind ? existing.settings : undefined;
    let settings: ProviderSettings;
    try {
      settings = validateProviderSettings(kind, currentSettings, input.settings ?? { fields: [], values: undefined });
    } catch (error) {
      if (error instanceof ProviderSettingsError) throw new ConfigValidationError(error.message, error.param);
      throw error;
    }
    const baseUrl = input.baseUrl ?? existing?.baseUrl;
    if (!baseUrl) throw new ConfigValidationError(`provider "${input.id}" is new: "baseUrl" is required`);
    try {
      const url = new URL(baseUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    } catch {
      throw new ConfigValidationError(`baseUrl must be an http(s) URL, got "${baseUrl}"`);
    }
    let redirect: ProviderRedirect | undefined;
    if (existing && input.baseUrl !== undefined) {
      const decision = this.redirects.decide(existing.baseUrl, baseUrl, input.confirmKeyRedirect === true);
      if (decision.kind === 'refused') throw new ProviderRedirectRefused(input.id, decision.from, decision.to);
      if (decision.kind === 'redirect') redirect = decision;
    }
    // A list given in full is bounded before anything is done with it; additions once made on top.
    if (input.models && input.models.length > MAX_PROVIDER_MODELS) {
      throw new ConfigValidationError(`provider "${input.id}" would declare ${input.models.length} models; at most ${MAX_PROVIDER_MODELS}`, 'models');
    }
    const declared = input.models ?? existing?.models ?? [];
    const added = new Set(input.addModels ?? []);
    for (const model of declared) added.delete(model);
    const models = [...declared, ...added];
    if (added.size > 0 && models.length > MAX_PROVIDER_MODELS) {
      throw new ConfigValidationError(`provider "${input.id}" would declare ${models.length} models; at most ${MAX_PROVIDER_MODELS}`, 'apply');
    }
    if (models.some((m) => typeof m !== 'string' || m.length === 0 || m.length > 200)) {
      throw new ConfigValidationError('models must be non-empty strings');
    }
    const stored: StoredProvider = {
      id: input.id,
      kind,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      enabled: input.enabled ?? existing?.enabled ?? true,
      models,
      settings,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
    const key = PROVIDER_PREFIX + input.id;
    const applied = this.revisions.get(key);
    let revision: number;
    try {
      // An entry applied here but unreadable (not `existing`) is replaced by compare-and-set too.
      revision = applied !== undefined ? await this.kv.update(key, JSON.stringify(stored), applied) : await this.kv.create(key, JSON.stringify(stored));
    } catch (error) {
      if (isKvWriteConflict(error)) return 'conflict';
      throw error;
    }
    await this.waitFor(revision);
    const provider = this.snapshot.providers.find((p) => p.id === input.id);
    if (!provider) throw new Error(`provider ${input.id} missing after write`);
    return { provider, created: !existing, ...(redirect ? { redirect } : {}) };
  }

  async setPriority(order: string[]): Promise<ConfigSnapshot> {
    const unknown = order.filter((id) => !this.providers.has(id));
    if (unknown.length) throw new ConfigValidationError(`unknown provider(s) in order: ${unknown.join(', ')}`);
    if (new Set(order).size !== order.length) throw new ConfigValidationError('order lists a provider twice');
    const previous = this.orderedProviderIds();
    const rest = previous.filter((id) => !order.includes(id));
    await this.waitFor(await this.kv.put(PRIORITY_KEY, JSON.stringify([...order, ...rest])));
    return this.snapshot;
  }

  /** Replaces the fallback map, checked here (bounds, names, cycles) as every stored map is checked when read. */
  async setFallbacks(fallbacks: Record<string, string[]>): Promise<ConfigSnapshot> {
    const problem = validateFallbackMap(fallbacks);
    if (problem) throw new ConfigValidationError(problem, 'fallbacks');
    await this.waitFor(await this.kv.put(FALLBACKS_KEY, JSON.stringify(fallbacks)));
    return this.snapshot;
  }

  async setErrorActions(errorActions: Record<string, string>, validate: (map: unknown) => string | undefined): Promise<ConfigSnapshot> {
    const problem = validate(errorActions);
    if (problem) throw new ConfigValidationError(problem);
    await this.waitFor(await this.kv.put(ERROR_ACTIONS_KEY, JSON.stringify(errorActions)));
    return this.snapshot;
  }

  /** Replaces every routing policy; a weight must name a configured provider. Acknowledged by JetStream before it returns. */
  async setRoutingPolicies(policies: RoutingPolicies): Promise<ConfigSnapshot> {
    let checked: RoutingPolicies;
    try {
      checked = checkRoutingPolicies(policies, new Set(this.providers.keys()));
    } catch (error) {
      if (error instanceof RoutingPolicyError) throw new ConfigValidationError(error.message, error.param);
      throw error;
    }
    await this.waitFor(await this.kv.put(POLICIES_KEY, JSON.stringify(checked)));
    return this.snapshot;
  }

  async createApiKey(input: NewApiKey): Promise<{ entry: ApiKey; key: string }> {
    const { name } = input;
    if (!name || name.length > 200) throw new ConfigValidationError('"name" is required (at most 200 characters)');
    checkPolicy(input);
    const teamId = input.teamId ?? '';
    if (teamId !== '' && !this.teams.has(teamId)) throw new ConfigValidationError(`there is no team "${teamId}"`);
    const expiresAt = input.expiresAt ?? '';
    const expiry = expiryProblem(expiresAt);
    if (expiry) throw new ConfigValidationError(expiry);
    const key = `gw-${randomBytes(24).toString('base64url')}`;
    const entry: ApiKey = {
      id: `key_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name,
      keySha256: sha256(key),
      allowedModels: input.allowedModels,
      createdAt: new Date().toISOString(),
      teamId,
      budget: input.budget,
      limits: input.limits,
      expiresAt,
    };
    await this.waitFor(await this.kv.put(API_KEY_PREFIX + entry.id, JSON.stringify(entry)));
    return { entry, key };
  }

  listApiKeys(): ApiKey[] {
    return [...this.apiKeys.values()];
  }

  async deleteApiKey(id: string): Promise<boolean> {
    if (!this.apiKeys.has(id)) return false;
    await this.deleteEntry(API_KEY_PREFIX + id);
    return true;
  }

  async createTeam(input: SpendPolicy & { name: string }): Promise<Team> {
    checkTeamName(input.name);
    checkPolicy(input);
    const team: Team = {
      id: `team_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      allowedModels: input.allowedModels,
      budget: input.budget,
      limits: input.limits,
      createdAt: new Date().toISOString(),
    };
    await this.waitFor(await this.kv.put(TEAM_PREFIX + team.id, JSON.stringify(team)));
    return team;
  }

  /**
   * Replaces the team's fields; the new limits and budget apply to the next admission of every
   * ingress replica. A compare-and-set on the team as applied here: a delete (or another update)
   * in between is read first, so a deleted team is never written back (undefined: not found).
   */
  async updateTeam(input: Omit<Team, 'createdAt'>): Promise<Team | undefined> {
    checkTeamName(input.name);
    checkPolicy(input);
    const key = TEAM_PREFIX + input.id;
    for (let attempt = 1; ; attempt++) {
      const existing = this.teams.get(input.id);
      const applied = this.revisions.get(key);
      if (!existing || applied === undefined) return undefined;
      const team: Team = { ...input, createdAt: existing.createdAt };
      try {
        await this.waitFor(await this.kv.update(key, JSON.stringify(team), applied));
        return team;
      } catch (error) {
        if (!isKvWriteConflict(error)) throw error;
      }
      if (attempt >= MAX_WRITE_CONFLICTS) throw new Error(`team ${input.id}: ${MAX_WRITE_CONFLICTS} concurrent writes in a row; try again`);
      await this.catchUp(key);
    }
  }

  /** A compare-and-set delete: an update in between is read first, and the team's keys counted again. */
  async deleteTeam(id: string): Promise<boolean> {
    const key = TEAM_PREFIX + id;
    for (let attempt = 1; ; attempt++) {
      const applied = this.revisions.get(key);
      if (!this.teams.has(id) || applied === undefined) return false;
      const owned = [...this.apiKeys.values()].filter((apiKey) => apiKey.teamId === id).length;
      if (owned > 0) throw new TeamInUse(`team "${id}" still owns ${owned} API key(s); delete them first`);
      try {
        await this.deleteEntry(key, applied);
        return true;
      } catch (error) {
        if (!isKvWriteConflict(error)) throw error;
      }
      if (attempt >= MAX_WRITE_CONFLICTS) throw new Error(`team ${id}: ${MAX_WRITE_CONFLICTS} concurrent writes in a row; try again`);
      await this.catchUp(key);
    }
  }

  /**
   * Replaces the override of one model name; durable (acknowledged by JetStream) and applied here
   * before it returns. A new name is written in one atomic batch with the gate key, on the
   * condition that the gate is still at the revision applied here: the count checked here then
   * holds every override created before, by any replica, so the limit is never passed even by
   * concurrent creations. A replacement is a compare-and-set on the override itself, so one deleted
   * meanwhile is made again as a new name, counted.
   */
  async putModelOverride(input: Omit<ModelOverride, 'updatedAt'>): Promise<ModelOverride> {
    const problem = modelOverrideProblem(input, { providerIds: new Set(this.providers.keys()) });
    if (problem) throw new ConfigValidationError(problem.message, problem.param);
    const key = modelOverrideKey(input.name);
    const stored: ModelOverride = {
      name: input.name,
      ...(input.inputUsdPerMTok !== undefined ? { inputUsdPerMTok: input.inputUsdPerMTok } : {}),
      ...(input.outputUsdPerMTok !== undefined ? { outputUsdPerMTok: input.outputUsdPerMTok } : {}),
      ...(input.contextWindow !== undefined ? { contextWindow: input.contextWindow } : {}),
      ...(input.maxOutputTokens !== undefined ? { maxOutputTokens: input.maxOutputTokens } : {}),
      providers: [...input.providers],
      updatedAt: new Date().toISOString(),
    };
    for (let attempt = 1; ; attempt++) {
      const revision = await this.tryPutModelOverride(key, stored);
      if (revision !== 'conflict') {
        await this.waitFor(revision);
        return stored;
      }
      if (attempt >= MAX_WRITE_CONFLICTS) throw new Error(`model override ${input.name}: ${MAX_WRITE_CONFLICTS} concurrent writes in a row; try again`);
      await this.catchUp(MODEL_OVERRIDES_GATE_KEY);
      await this.catchUp(key);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }

  private async tryPutModelOverride(key: string, stored: ModelOverride): Promise<number | 'conflict'> {
    const value = JSON.stringify(stored);
    const applied = this.revisions.get(key);
    // Read together, before any await: the gate revision and the overrides as of it.
    const gate = this.modelOverridesGate;
    const count = this.modelOverrides.size;
    try {
      if (this.modelOverrides.has(stored.name) && applied !== undefined) return await this.kv.update(key, value, applied);
      if (count >= MODEL_OVERRIDE_LIMITS.maxOverrides) {
        throw new ConfigValidationError(`at most ${MODEL_OVERRIDE_LIMITS.maxOverrides} model overrides; delete one first`, 'name');
      }
      if (!this.batches) return await this.kv.put(key, value);
      return await this.batches([
        { key, value },
        { key: MODEL_OVERRIDES_GATE_KEY, value: JSON.stringify({ overrides: count + 1 }), expectRevision: gate },
      ]);
    } catch (error) {
      if (error instanceof KvBatchConflict || isKvWriteConflict(error)) return 'conflict';
      throw error;
    }
  }

  async deleteModelOverride(name: string): Promise<boolean> {
    if (!this.modelOverrides.has(name)) return false;
    await this.deleteEntry(modelOverrideKey(name));
    return true;
  }

  /**
   * Writes the key's delete marker (on the condition that the key is still at `expectRevision`,
   * when given) and resolves once the watch applied it, or a later write of the key: not once the
   * entry is absent, which a write after the delete would hold off for good.
   */
  private async deleteEntry(key: string, expectRevision?: number): Promise<void> {
    await this.kv.delete(key, expectRevision === undefined ? undefined : { previousSeq: expectRevision });
    await this.catchUp(key);
  }

  /** Resolves once the watch has applied the key's latest entry (after a write conflict). */
  private async catchUp(key: string): Promise<void> {
    const latest = await this.kv.get(key);
    if (latest) await this.waitFor(latest.revision);
  }

  /**
   * Resolves once the watch has applied our own write, so the answer reflects it; rejects with
   * ConfigWriteUnapplied when the watch has not within applyTimeoutMs.
   */
  private waitFor(revision: number): Promise<void> {
    if (this.revision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        this.logger.error({ revision, applied: this.revision }, 'a config write was not applied in time: the watch of the config bucket is behind');
        reject(new ConfigWriteUnapplied(this.applyTimeoutMs));
      }, this.applyTimeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Applies one entry of the bucket. An entry without the shape its key's kind needs (written by
   * hand or by another tool) counts as absent, on every replica alike, and is logged by key: it
   * never stops the watch, the start, or the encoding of a snapshot. Its revision is still kept for
   * providers, teams and model overrides, so an admin write replaces it by compare-and-set.
   */
  private apply(entry: KvEntry): void {
    const key = entry.key;
    try {
      if (key.startsWith(PROVIDER_PREFIX)) {
        const id = key.slice(PROVIDER_PREFIX.length);
        this.setOrDelete(this.providers, id, this.read(entry, (value) => readStoredProvider(id, value)));
        this.trackRevision(entry);
      } else if (key.startsWith(API_KEY_PREFIX)) {
        const id = key.slice(API_KEY_PREFIX.length);
        this.setOrDelete(this.apiKeys, id, this.read(entry, (value) => readStoredApiKey(id, value)));
      } else if (key.startsWith(TEAM_PREFIX)) {
        const id = key.slice(TEAM_PREFIX.length);
        this.setOrDelete(this.teams, id, this.read(entry, (value) => readStoredTeam(id, value)));
        this.trackRevision(entry);
      } else if (key.startsWith(MODEL_OVERRIDE_PREFIX)) {
        const name = Buffer.from(key.slice(MODEL_OVERRIDE_PREFIX.length), 'base64url').toString('utf8');
        this.setOrDelete(this.modelOverrides, name, this.read(entry, (value) => readStoredModelOverride(name, value)));
        this.trackRevision(entry);
      } else if (key === MODEL_OVERRIDES_GATE_KEY) {
        this.modelOverridesGate = entry.revision;
      } else if (key === PRIORITY_KEY) {
        this.priority = this.read(entry, readStoredPriority) ?? [];
      } else if (key === FALLBACKS_KEY) {
        // Checked again as read, with the bounds and the cycle check of a write.
        this.fallbacks = this.read(entry, (value) => checked(readStoredFallbacks(value), validateFallbackMap)) ?? {};
      } else if (key === ERROR_ACTIONS_KEY) {
        this.errorActions = this.read(entry, (value) => checked(readStoredTextMap(value, 'error action map'), errorActionsProblem)) ?? {};
      } else if (key === POLICIES_KEY) {
        // Checked again as read: an entry written by hand or by an older release never reaches the routers malformed.
        this.policies = this.read(entry, (value) => checkRoutingPolicies(value as RoutingPolicies)) ?? DEFAULT_ROUTING_POLICIES;
      }
    } catch (error) {
      this.logger.error({ err: error, key, revision: entry.revision }, 'config entry could not be applied; ignored');
    }
    this.revision = Math.max(this.revision, entry.revision);
    if (this.initialised) this.publish();
  }

  /**
   * The entry's value as `parse` reads it; undefined for a delete, and for an entry that is not
   * JSON or does not fit (logged by key and field, never with its value, which may be anything).
   */
  private read<T>(entry: KvEntry, parse: (value: unknown) => T): T | undefined {
    if (entry.operation !== 'PUT') return undefined;
    let problem: string;
    try {
      return parse(entry.json<unknown>());
    } catch (error) {
      if (error instanceof EntryShapeError) problem = error.message;
      else if (error instanceof RoutingPolicyError) problem = `routing policies: "${error.param.slice(0, 200)}" does not fit`;
      else if (error instanceof SyntaxError) problem = 'not JSON';
      else throw error;
    }
    this.logger.error({ key: entry.key, revision: entry.revision, problem }, 'config entry of the wrong shape ignored (as if absent)');
    return undefined;
  }

  private setOrDelete<T>(map: Map<string, T>, id: string, value: T | undefined): void {
    if (value === undefined) map.delete(id);
    else map.set(id, value);
  }

  /** The revision a compare-and-set write of the entry's key expects. */
  private trackRevision(entry: KvEntry): void {
    if (entry.operation === 'PUT') this.revisions.set(entry.key, entry.revision);
    else this.revisions.delete(entry.key);
  }

  private orderedProviderIds(): string[] {
    const listed = this.priority.filter((id) => this.providers.has(id));
    const rest = [...this.providers.values()]
      .filter((p) => !listed.includes(p.id))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .map((p) => p.id);
    return [...listed, ...rest];
  }

  private publish(): void {
    const providers = this.orderedProviderIds().map((id, priority): Provider => {
      const stored = this.providers.get(id) as StoredProvider;
      return {
        id,
        kind: stored.kind,
        baseUrl: stored.baseUrl,
        enabled: stored.enabled,
        priority,
        models: stored.models,
        settings: stored.settings ?? emptySettings(),
      };
    });
    this.snapshot = {
      revision: this.revision,
      providers,
      fallbacks: Object.fromEntries(Object.entries(this.fallbacks).map(([model, models]) => [model, { models }])),
      apiKeys: [...this.apiKeys.values()],
      errorActions: { ...this.errorActions },
      teams: [...this.teams.values()],
      modelOverrides: [...this.modelOverrides.values()].sort((a, b) => a.name.localeCompare(b.name)),
      routingPolicies: routingPoliciesToProto(this.policies),
    };
    for (const listener of this.listeners) listener(this.snapshot);
    for (const waiter of this.waiters.filter((w) => this.revision >= w.revision)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** The value, if `problem` finds none in it; else an EntryShapeError. */
function checked<T>(value: T, problem: (value: T) => string | undefined): T {
  if (problem(value)) throw new EntryShapeError('its content is refused by the checks of a write');
  return value;
}

function modelOverrideKey(name: string): string {
  return MODEL_OVERRIDE_PREFIX + Buffer.from(name, 'utf8').toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function checkTeamName(name: string): void {
  if (!name || name.length > 200) throw new ConfigValidationError('"name" is required (at most 200 characters)');
}

function checkPolicy(policy: SpendPolicy): void {
  const problem = allowedModelsProblem(policy.allowedModels) ?? budgetProblem(policy.budget) ?? limitsProblem(policy.limits);
  if (problem) throw new ConfigValidationError(problem);
}
