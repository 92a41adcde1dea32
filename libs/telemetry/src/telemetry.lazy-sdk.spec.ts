import { propagation } from '@opentelemetry/api';

let mockSdkLoads = 0;
jest.mock('@opentelemetry/sdk-node', () => {
  mockSdkLoads++;
  return jest.requireActual('@opentelemetry/sdk-node');
});

// The SDK with its bundled exporters is about 40 MB of RSS per service: loaded only to export.
describe('startTelemetry loads the OpenTelemetry Node SDK', () => {
  let startTelemetry: typeof import('./telemetry').startTelemetry;

  beforeAll(async () => {
    ({ startTelemetry } = await import('./telemetry'));
  });

  afterAll(() => propagation.disable());

  it('not at all when no exporter is configured', async () => {
    const telemetry = startTelemetry('svc', {});
    await telemetry.shutdown();
    expect(mockSdkLoads).toBe(0);
  });

  it('once an exporter is configured', async () => {
    const telemetry = startTelemetry('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    await telemetry.shutdown();
    expect(mockSdkLoads).toBe(1);
  });
});
