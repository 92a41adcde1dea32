// A fake Microsoft identity platform token endpoint: the OAuth 2.0 client credentials grant,
// `POST /{tenant}/oauth2/v2.0/token` (form-encoded), answering as Entra ID does
// (`v2-oauth2-client-creds-grant-flow.md`): a bearer token with expires_in, or an error with
// an AADSTS code. Issued tokens are what FakeAzureOpenAi accepts as bearer credentials.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

export interface FakeEntraClient {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface FakeEntraOptions {
  clients: FakeEntraClient[];
  /** Lifetime of issued tokens; default 3599 (Entra's). */
  expiresInSeconds?: number;
}

export interface FakeEntra {
  /** The authority host (AZURE_AUTHORITY_HOST). */
  url: string;
  /** Token requests received, with their form fields (the client secret included: tests check it never leaks elsewhere). */
  requests: Array<{ tenant: string; form: Record<string, string> }>;
  isValidToken(token: string): boolean;
  /** Every token issued so far stops being accepted (a revoked role assignment). */
  revokeAll(): void;
  /** The next `times` token requests answer 503. */
  failNext(times: number): void;
  setExpiresInSeconds(seconds: number): void;
  close(): Promise<void>;
}

export async function startFakeEntra(options: FakeEntraOptions): Promise<FakeEntra> {
  const valid = new Map<string, number>();
  const requests: FakeEntra['requests'] = [];
  let expiresIn = options.expiresInSeconds ?? 3599;
  let failures = 0;
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, code: string, aadsts: string, description: string): void => {
    const traceId = randomBytes(16).toString('hex');
    send(res, status, {
      error: code,
      error_description: `${aadsts}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${traceId}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [Number(aadsts.slice(6))],
      timestamp: new Date().toISOString(),
      trace_id: traceId,
      correlation_id: traceId,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const match = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec((req.url ?? '').split('?')[0]);
    if (req.method !== 'POST' || !match) return send(res, 404, { error: 'not_found' });
    const tenant = decodeURIComponent(match[1]);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(parts).toString('utf8')));
    requests.push({ tenant, form });
    if (failures > 0) {
      failures -= 1;
      return error(res, 503, 'temporarily_unavailable', 'AADSTS90033', 'A transient error has occurred. Please try again.');
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return error(res, 400, 'invalid_request', 'AADSTS900144', "The request body must contain the following parameter: 'grant_type'.");
    }
    if (form.grant_type !== 'client_credentials') return error(res, 400, 'unsupported_grant_type', 'AADSTS70003', 'The app requested an unsupported grant type.');
    if (form.scope !== COGNITIVE_SERVICES_SCOPE) return error(res, 400, 'invalid_scope', 'AADSTS70011', 'The provided value for the input parameter \'scope\' is not valid.');
    if (!options.clients.some((client) => client.tenantId === tenant)) {
      return error(res, 400, 'invalid_request', 'AADSTS90002', `Tenant '${tenant}' not found.`);
    }
    const client = options.clients.find((candidate) => candidate.tenantId === tenant && candidate.clientId === form.client_id);
    if (!client) return error(res, 400, 'unauthorized_client', 'AADSTS700016', `Application with identifier '${form.client_id}' was not found in the directory.`);
    if (client.clientSecret !== form.client_secret) {
      return error(res, 401, 'invalid_client', 'AADSTS7000215', `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`);
    }
    const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(48).toString('base64url')}`;
    valid.set(token, Date.now() + expiresIn * 1000);
    send(res, 200, { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    isValidToken: (token) => (valid.get(token) ?? 0) > Date.now(),
    revokeAll: () => valid.clear(),
    failNext: (times) => {
      failures = times;
    },
    setExpiresInSeconds: (seconds) => {
      expiresIn = seconds;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
