import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { OPENAPI_DOCUMENT, registerOpenApiRoutes } from './openapi.routes';

describe('GET /openapi.json', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    registerOpenApiRoutes(app);
    await app.ready();
  });

  afterAll(() => app.close());

  it('serves the description kept in apps/ingress/openapi/openapi.json, as JSON, without authentication', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const onDisk: unknown = JSON.parse(readFileSync(resolve(__dirname, '../openapi/openapi.json'), 'utf8'));
    expect(response.json()).toEqual(onDisk);
    expect(OPENAPI_DOCUMENT.openapi).toMatch(/^3\.1\./);
  });
});
