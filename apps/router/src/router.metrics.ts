import { Counter, Gauge, type Registry } from 'prom-client';
import { genAiProviderName } from '@ai-gateway/model-catalog';
import type { CircuitBreaker, KeyHealth } from '@ai-gateway/routing';
import { CONTROL_PLANE_COMPONENTS, type ControlPlaneStatus } from './control-plane.status';

export interface RouterMetrics {
  usageEventsDropped: Counter;
}

/** The router's own series: events it had to drop, and the circuit breakers' state. */
export function createRouterMetrics(
  registry: Registry,
  breaker: CircuitBreaker,
  keyHealth: KeyHealth,
  kindOf: (providerId: string) => string,
  controlPlane: ControlPlaneStatus,
): RouterMetrics {
  const usageEventsDropped = new Counter({
    name: 'gen_ai_gateway_usage_events_dropped_total',
    help: 'Usage events dropped because the bounded buffer overflowed while NATS was unreachable.',
    registers: [registry],
  });
  new Gauge({
    name: 'gen_ai_gateway_circuit_breaker_state',
    help: 'Circuit breaker state per provider and model: 0 closed, 1 half-open, 2 open.',
    labelNames: ['gen_ai_provider_name', 'gen_ai_gateway_provider_id', 'gen_ai_request_model'],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of breaker.snapshot()) {
        const [providerId, ...model] = entry.key.split('/');
        this.set(
          { gen_ai_provider_name: genAiProviderName(kindOf(providerId)), gen_ai_gateway_provider_id: providerId, gen_ai_request_model: model.join('/') },
          entry.stateValue,
        );
      }
    },
  });
  new Gauge({
    name: 'gen_ai_gateway_provider_key_failing',
    help: 'Provider keys the provider refused (401/403), 1 until the key is rotated or works again; labelled by key id, never the key.',
    labelNames: ['gen_ai_provider_name', 'gen_ai_gateway_provider_id', 'gen_ai_gateway_key_id', 'http_response_status_code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const key of keyHealth.failing()) {
        this.set(
          { gen_ai_provider_name: genAiProviderName(kindOf(key.provider)), gen_ai_gateway_provider_id: key.provider, gen_ai_gateway_key_id: key.keyId, http_response_status_code: String(key.status) },
          1,
        );
      }
    },
  });
  new Gauge({
    name: 'gen_ai_gateway_control_plane_connected',
    help: 'Whether this router reaches a control-plane component (1) or serves from the last config and keys it had (0).',
    labelNames: ['component'],
    registers: [registry],
    collect() {
      for (const component of CONTROL_PLANE_COMPONENTS) this.set({ component }, controlPlane.connected(component) ? 1 : 0);
    },
  });
  return { usageEventsDropped };
}
