import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../find-binary';
import { createOpenApiValidator, events } from './openapi-validator';

const DOCUMENT = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/ingress/openapi/openapi.json'), 'utf8')) as Record<string, never>;
const validator = createOpenApiValidator(DOCUMENT);
const error = JSON.stringify({ error: { message: 'm', type: 'invalid_request_error', param: null, code: 'invalid_json' } });
const chunk = (content: string): string =>
  JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

describe('createOpenApiValidator', () => {
  it('accepts an answer that matches the described status, content type and schema', () => {
    expect(validator.problems({ method: 'POST', path: '/v1/chat/completions', status: 400, contentType: 'application/json', body: error })).toEqual([]);
    expect(validator.problems({ method: 'DELETE', path: '/admin/v1/api-keys/{id}', status: 204, contentType: '', body: '' })).toEqual([]);
  });

  it('reports a body that breaks its schema', () => {
    const broken = JSON.stringify({ error: { message: 'm', type: 'invalid_request_error' } });
    const problems = validator.problems({ method: 'POST', path: '/v1/chat/completions', status: 400, contentType: 'application/json', body: broken });
    expect(problems.join('\n')).toMatch(/must have required property 'param'/);
  });

  it('reports a status, a content type or an operation the description does not have', () => {
    expect(validator.problems({ method: 'GET', path: '/v1/models', status: 418, contentType: 'application/json', body: '{}' })).toEqual([
      'GET /v1/models → 418: status 418 is not described for this operation',
    ]);
    expect(validator.problems({ method: 'GET', path: '/v1/models', status: 401, contentType: 'text/plain', body: 'no' })[0]).toMatch(/content type "text\/plain"/);
    expect(validator.problems({ method: 'GET', path: '/v1/files', status: 200, contentType: 'application/json', body: '{}' })[0]).toMatch(/no operation/);
  });

  it('checks every event of a stream, chunks, [DONE] and the in-band error alike', () => {
    const good = `data: ${chunk('Hel')}\n\ndata: ${chunk('lo')}\n\ndata: [DONE]\n\n`;
    expect(events(good).map((e) => e.data.slice(0, 8))).toEqual(['{"id":"c', '{"id":"c', '[DONE]']);
    expect(validator.problems({ method: 'POST', path: '/v1/chat/completions', status: 200, contentType: 'text/event-stream; charset=utf-8', body: good })).toEqual([]);
    const ended = `data: ${chunk('Hel')}\n\ndata: ${error}\n\n`;
    expect(validator.problems({ method: 'POST', path: '/v1/chat/completions', status: 200, contentType: 'text/event-stream', body: ended })).toEqual([]);
    const bad = `data: ${chunk('Hel')}\n\ndata: {"object":"chat.completion.chunk"}\n\n`;
    expect(validator.problems({ method: 'POST', path: '/v1/chat/completions', status: 200, contentType: 'text/event-stream', body: bad })[0]).toMatch(/event 1/);
  });
});
