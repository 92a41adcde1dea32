import { followConfigSnapshots } from '@ai-gateway/config-client';
import { ProviderModelCatalog } from '@ai-gateway/model-catalog';
import { CONFIG_SERVICE_NAME, type ConfigServiceClient, type ConfigSnapshot } from '@ai-gateway/proto';
import { effectiveErrorActions, routingPoliciesFromProto, type ErrorActions, type FallbackMap, type RoutingPolicies } from '@ai-gateway/routing';
import type { ClientGrpcProxy } from '@nestjs/microservices';
import type { Logger } from 'pino';

/** What the hot path reads: derived once per config change, never per request. */
export interface RoutingView {
  snapshot: ConfigSnapshot;
  catalog: ProviderModelCatalog;
  fallbacks: FallbackMap;
  /** The router's defaults overridden by the configured map. */
  errorActions: ErrorActions;
  /** How each model's providers are ordered, and its hedging (`routingPolicyFor(view.policies, model)`). */
  policies: RoutingPolicies;
}

/** The routing view of the latest config snapshot, rebuilt on every change. */
export class ConfigSnapshotWatcher {
  private view: RoutingView | undefined;
  private stopFollowing: (() => void) | undefined;
  private readonly client: ConfigServiceClient;
  private readonly listeners = new Set<(view: RoutingView) => void>();

  constructor(
    proxy: ClientGrpcProxy,
    private readonly logger: Logger,
    private readonly onConnected?: (connected: boolean) => void,
  ) {
    this.client = proxy.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME);
  }

  async start(): Promise<void> {
    this.stopFollowing = await followConfigSnapshots(this.client, (snapshot) => this.apply(snapshot), this.logger, this.onConnected);
  }

  current(): RoutingView {
    if (!this.view) throw new Error('config snapshot not loaded');
    return this.view;
  }

  onChange(listener: (view: RoutingView) => void): void {
    this.listeners.add(listener);
  }

  stop(): void {
    this.stopFollowing?.();
  }

  private apply(snapshot: ConfigSnapshot): void {
    const fallbacks = Object.fromEntries(Object.entries(snapshot.fallbacks).map(([model, list]) => [model, list.models]));
    this.view = {
      snapshot,
      catalog: ProviderModelCatalog.fromSnapshot(snapshot),
      fallbacks,
      errorActions: effectiveErrorActions(snapshot.errorActions ?? {}),
      policies: routingPoliciesFromProto(snapshot.routingPolicies),
    };
    for (const listener of this.listeners) listener(this.view);
  }
}
