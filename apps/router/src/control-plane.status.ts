import type { Logger } from 'pino';

export const CONTROL_PLANE_COMPONENTS = ['key_vault', 'config', 'nats'] as const;
export type ControlPlaneComponent = (typeof CONTROL_PLANE_COMPONENTS)[number];

/**
 * Whether this router reaches each control-plane component now. When one is away the router
 * keeps serving from what it last had (config snapshot, provider keys while its lease holds);
 * this says so in the gen_ai_gateway_control_plane_connected metric, the log and, through the
 * gRPC health service names `gateway.control_plane.<component>`, in ingress's /readyz detail.
 */
export class ControlPlaneStatus {
  private readonly state = new Map<ControlPlaneComponent, boolean>(CONTROL_PLANE_COMPONENTS.map((c) => [c, true]));
  private readonly listeners = new Set<(component: ControlPlaneComponent, connected: boolean) => void>();

  constructor(private readonly logger: Logger) {}

  set(component: ControlPlaneComponent, connected: boolean): void {
    if (this.state.get(component) === connected) return;
    this.state.set(component, connected);
    if (connected) this.logger.info({ component }, 'control plane component reachable again');
    else this.logger.warn({ component }, 'control plane component unreachable: serving from the last config and keys');
    for (const listener of this.listeners) listener(component, connected);
  }

  connected(component: ControlPlaneComponent): boolean {
    return this.state.get(component) ?? false;
  }

  onChange(listener: (component: ControlPlaneComponent, connected: boolean) => void): void {
    this.listeners.add(listener);
  }
}
