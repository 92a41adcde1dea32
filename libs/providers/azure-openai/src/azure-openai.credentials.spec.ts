import { AzureCredentialError, parseAzureCredential } from './azure-openai.credentials';

const SECRET = 'Qx8Q~abcdEFGHijklMNOPqrstUVWxyz0123456789';

describe('parseAzureCredential', () => {
  it('reads a plain string as the api-key', () => {
    expect(parseAzureCredential(' 0123456789abcdef0123456789abcdef\n')).toEqual({ kind: 'api-key', apiKey: '0123456789abcdef0123456789abcdef' });
  });

  it('reads Entra client credentials from JSON', () => {
    const key = JSON.stringify({ tenantId: 'contoso.onmicrosoft.com', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecret: SECRET });
    expect(parseAzureCredential(key)).toEqual({ kind: 'entra', tenantId: 'contoso.onmicrosoft.com', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecret: SECRET });
  });

  it.each([
    ['broken JSON', `{"tenantId":"t","clientSecret":"${SECRET}"`, /not valid JSON/],
    ['a field of the wrong type', `{"tenantId":7,"clientId":"c","clientSecret":"${SECRET}"}`, /tenantId/],
    ['a missing secret', '{"tenantId":"t","clientId":"c"}', /clientSecret/],
    ['an empty client id', `{"tenantId":"t","clientId":"","clientSecret":"${SECRET}"}`, /clientId/],
    ['a tenant that is a path', `{"tenantId":"../common","clientId":"c","clientSecret":"${SECRET}"}`, /tenantId/],
  ])('refuses %s without quoting the key', (_case, key, message) => {
    let thrown: unknown;
    try {
      parseAzureCredential(key);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AzureCredentialError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain(SECRET.slice(0, 16));
  });
});
