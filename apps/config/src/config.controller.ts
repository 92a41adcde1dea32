import { Controller, Inject } from '@nestjs/common';
import { Observable } from 'rxjs';
import {
  ConfigServiceControllerMethods,
  type ConfigServiceController,
  type ConfigSnapshot,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type CreateTeamRequest,
  type DeleteTeamRequest,
  type DeleteTeamResponse,
  type Team,
  type DeleteApiKeyRequest,
  type DeleteApiKeyResponse,
  type DeleteModelOverrideRequest,
  type DeleteModelOverrideResponse,
  type ModelOverride,
  type ListApiKeysResponse,
  type PutProviderRequest,
  type PutProviderResponse,
  type SetErrorActionsRequest,
  type SetFallbacksRequest,
  type SetPriorityRequest,
  type RoutingPolicies,
} from '@ai-gateway/proto';
import { errorActionsProblem, routingPoliciesFromProto } from '@ai-gateway/routing';
import { gatewayRpcException, GrpcStatus } from '@ai-gateway/service-kit';
import { ConfigStore, ConfigValidationError, ConfigWriteUnapplied, ProviderRedirectRefused, TeamInUse } from './config.store';
import { CONFIG_AUDIT, CONFIG_STORE, type ConfigAudit } from './config.constants';
import { PROVIDER_REDIRECT_UNCONFIRMED } from './provider-redirect.policy';

/** The error code of a write stored but not applied by this replica in time (ConfigWriteUnapplied). */
export const CONFIG_WRITE_UNAPPLIED = 'config_write_unapplied';

/** The admin API is the only caller allowed PutProvider (SERVICE_ACCESS): the admin token's holder. */
const ADMIN_ACTOR = 'admin-token';

@Controller()
@ConfigServiceControllerMethods()
export class ConfigController implements ConfigServiceController {
  constructor(
    @Inject(CONFIG_STORE) private readonly store: ConfigStore,
    @Inject(CONFIG_AUDIT) private readonly audit: ConfigAudit,
  ) {}

  getSnapshot(): ConfigSnapshot {
    return this.store.current();
  }

  watchSnapshot(): Observable<ConfigSnapshot> {
    return new Observable<ConfigSnapshot>((subscriber) => {
      subscriber.next(this.store.current());
      return this.store.subscribe(
        (snapshot) => subscriber.next(snapshot),
        () => subscriber.complete(),
      );
    });
  }

  async putProvider(request: PutProviderRequest): Promise<PutProviderResponse> {
    try {
      const result = await this.guard(() =>
        this.store.putProvider({
          id: request.id,
          kind: request.kind,
          baseUrl: request.baseUrl,
          enabled: request.enabled,
          models: request.hasModels ? request.models : undefined,
          settings: { fields: request.settingsFields, values: request.settings },
          confirmKeyRedirect: request.confirmKeyRedirect,
          addModels: request.addModels,
        }),
      );
      if (result.redirect) {
        const { from, to, via } = result.redirect;
        // The change is made; an audit stream outage must not turn it into an error (the log line is written first).
        await this.audit.record({ action: 'provider.redirected', provider: request.id, from, to, via, actor: ADMIN_ACTOR }).catch(() => undefined);
      }
      return { provider: result.provider, created: result.created };
    } catch (error) {
      if (!(error instanceof ProviderRedirectRefused)) throw error;
      await this.audit
        .record({ action: 'provider.redirect_refused', provider: error.providerId, from: error.from, to: error.to, actor: ADMIN_ACTOR })
        .catch(() => undefined);
      throw gatewayRpcException(GrpcStatus.FAILED_PRECONDITION, error.message, {
        openaiErrorType: 'invalid_request_error',
        openaiErrorCode: PROVIDER_REDIRECT_UNCONFIRMED,
        param: 'confirmKeyRedirect',
      });
    }
  }

  setPriority(request: SetPriorityRequest): Promise<ConfigSnapshot> {
    return this.guard(() => this.store.setPriority(request.order));
  }

  setFallbacks(request: SetFallbacksRequest): Promise<ConfigSnapshot> {
    const map = Object.fromEntries(Object.entries(request.fallbacks).map(([model, list]) => [model, list.models]));
    return this.guard(() => this.store.setFallbacks(map));
  }

  setErrorActions(request: SetErrorActionsRequest): Promise<ConfigSnapshot> {
    return this.guard(() => this.store.setErrorActions({ ...request.errorActions }, errorActionsProblem));
  }

  setRoutingPolicies(request: RoutingPolicies): Promise<ConfigSnapshot> {
    return this.guard(() => this.store.setRoutingPolicies(routingPoliciesFromProto(request)));
  }

  createApiKey(request: CreateApiKeyRequest): Promise<CreateApiKeyResponse> {
    return this.guard(() =>
      this.store.createApiKey({
        name: request.name,
        allowedModels: request.allowedModels,
        teamId: request.teamId,
        budget: request.budget,
        limits: request.limits,
        expiresAt: request.expiresAt,
      }),
    );
  }

  createTeam(request: CreateTeamRequest): Promise<Team> {
    return this.guard(() => this.store.createTeam(request));
  }

  async updateTeam(request: Team): Promise<Team> {
    const team = await this.guard(() => this.store.updateTeam(request));
    if (!team) throw gatewayRpcException(GrpcStatus.NOT_FOUND, `no team with id "${request.id}"`, { openaiErrorType: 'not_found_error' });
    return team;
  }

  async deleteTeam(request: DeleteTeamRequest): Promise<DeleteTeamResponse> {
    let deleted: boolean;
    try {
      deleted = await this.guard(() => this.store.deleteTeam(request.id));
    } catch (error) {
      if (error instanceof TeamInUse) throw gatewayRpcException(GrpcStatus.FAILED_PRECONDITION, error.message, { openaiErrorType: 'invalid_request_error', openaiErrorCode: 'team_in_use' });
      throw error;
    }
    if (!deleted) throw gatewayRpcException(GrpcStatus.NOT_FOUND, `no team with id "${request.id}"`, { openaiErrorType: 'not_found_error' });
    return {};
  }

  putModelOverride(request: ModelOverride): Promise<ModelOverride> {
    return this.guard(() => this.store.putModelOverride(request));
  }

  async deleteModelOverride(request: DeleteModelOverrideRequest): Promise<DeleteModelOverrideResponse> {
    const deleted = await this.guard(() => this.store.deleteModelOverride(request.name));
    if (!deleted) throw gatewayRpcException(GrpcStatus.NOT_FOUND, `the model "${request.name.slice(0, 200)}" has no override`, { openaiErrorType: 'not_found_error' });
    return {};
  }

  listApiKeys(): ListApiKeysResponse {
    return { keys: this.store.listApiKeys() };
  }

  async deleteApiKey(request: DeleteApiKeyRequest): Promise<DeleteApiKeyResponse> {
    const deleted = await this.guard(() => this.store.deleteApiKey(request.id));
    if (!deleted) throw gatewayRpcException(GrpcStatus.NOT_FOUND, `no API key with id "${request.id}"`, { openaiErrorType: 'not_found_error' });
    return {};
  }

  private async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof ConfigValidationError) {
        throw gatewayRpcException(GrpcStatus.INVALID_ARGUMENT, error.message, { openaiErrorType: 'invalid_request_error', param: error.param ?? '' });
      }
      if (error instanceof ConfigWriteUnapplied) {
        throw gatewayRpcException(GrpcStatus.UNAVAILABLE, error.message, { openaiErrorType: 'api_error', openaiErrorCode: CONFIG_WRITE_UNAPPLIED });
      }
      throw error;
    }
  }
}
