import { firstValueFrom, type Subscription } from 'rxjs';
import { ProviderModelCatalog } from '@ai-gateway/model-catalog';
import { CONFIG_SERVICE_NAME, type ConfigServiceClient, type ConfigSnapshot } from '@ai-gateway/proto';
import type { FallbackMap } from '@ai-gateway/routing';
import type { ClientGrpcProxy } from '@nestjs/microservices';
import type { Logger } from 'pino';

/** What the hot path reads: derived once per config change, never per request. */
export interface RoutingView {
  snapshot: ConfigSnapshot;
  catalog: ProviderModelCatalog;
  fallbacks: FallbackMap;
}

/** Keeps the latest config snapshot from config's watch stream, reconnecting when it breaks. */
export class ConfigSnapshotWatcher {
  private view: RoutingView | undefined;
  private subscription: Subscription | undefined;
  private stopped = false;
  private readonly client: ConfigServiceClient;
  private readonly listeners = new Set<(view: RoutingView) => void>();

  constructor(
    proxy: ClientGrpcProxy,
    private readonly logger: Logger,
  ) {
    this.client = proxy.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME);
  }

  async start(): Promise<void> {
    this.apply(await firstValueFrom(this.client.getSnapshot({})));
    this.watch();
  }

  current(): RoutingView {
    if (!this.view) throw new Error('config snapshot not loaded');
    return this.view;
  }

  onChange(listener: (view: RoutingView) => void): void {
    this.listeners.add(listener);
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
  }

  private watch(): void {
    this.subscription = this.client.watchSnapshot({}).subscribe({
      next: (snapshot) => this.apply(snapshot),
      error: (error: unknown) => this.reconnect(error),
      complete: () => this.reconnect(new Error('config watch completed')),
    });
  }

  private reconnect(error: unknown): void {
    if (this.stopped) return;
    this.logger.warn({ err: error }, 'config watch broke; reconnecting');
    setTimeout(() => this.watch(), 500).unref();
  }

  private apply(snapshot: ConfigSnapshot): void {
    if (this.view && snapshot.revision < this.view.snapshot.revision) return;
    const fallbacks = Object.fromEntries(Object.entries(snapshot.fallbacks).map(([model, list]) => [model, list.models]));
    this.view = { snapshot, catalog: ProviderModelCatalog.fromSnapshot(snapshot), fallbacks };
    for (const listener of this.listeners) listener(this.view);
  }
}
