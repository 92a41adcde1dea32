import { Controller, Inject } from '@nestjs/common';
import {
  AnalyticsServiceControllerMethods,
  type AnalyticsServiceController,
  type GetProviderHealthResponse,
  type GetUsageRequest,
  type GetUsageResponse,
} from '@ai-gateway/proto';
import { PROVIDER_HEALTH } from './analytics.constants';
import { USAGE_MAX_WINDOW_SECONDS, type ProviderHealthTracker } from './provider-health';

const DEFAULT_USAGE_WINDOW_SECONDS = 300;

@Controller()
@AnalyticsServiceControllerMethods()
export class AnalyticsController implements AnalyticsServiceController {
  constructor(@Inject(PROVIDER_HEALTH) private readonly health: ProviderHealthTracker) {}

  getProviderHealth(): GetProviderHealthResponse {
    return this.health.health();
  }

  getUsage(request: GetUsageRequest): GetUsageResponse {
    const requested = Number(request.windowSeconds) || DEFAULT_USAGE_WINDOW_SECONDS;
    const windowSeconds = Math.min(USAGE_MAX_WINDOW_SECONDS, Math.max(1, requested));
    return { rows: this.health.usage(windowSeconds) };
  }
}
