import { test, expect, APIRequestContext } from '@playwright/test';

// Machines use the REST API with bearer JWTs from the OpenID Provider (client
// credentials); the roles claim says `<tenant-uuid>_<role>`.
const idp = process.env.IDP_URL ?? 'http://127.0.0.1:4100';
const M2M_TENANT_ID = '7e57a000-0000-4000-8000-00000000ac3e';

async function machineToken(request: APIRequestContext, client: string): Promise<string> {
  const res = await request.post(`${idp}/token`, {
    headers: { authorization: 'Basic ' + Buffer.from(`${client}:${client}-secret`).toString('base64') },
    form: { grant_type: 'client_credentials', scope: 'api' },
  });
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  expect(body.access_token.split('.')).toHaveLength(3);
  return body.access_token;
}

test('a machine with a JWT acts within the roles its token carries', async ({ request }) => {
  const admin = await machineToken(request, 'automation-admin');
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  // The global-admin machine creates a tenant with an id chosen outside the console (seed 004).
  const created = await request.post('/api/v1/tenants', {
    headers: auth(admin),
    data: { name: 'm2m-acme', id: M2M_TENANT_ID, labels: { env: 'dev' } },
  });
  expect(created.status(), await created.text()).toBe(201);
  expect((await created.json()).id).toBe(M2M_TENANT_ID);

  const acme = await machineToken(request, 'automation-acme');
  const me = await (await request.get('/api/v1/me', { headers: auth(acme) })).json();
  expect(me.global_admin).toBe(false);

  // Its own tenant: allowed. Another tenant, or an admin-only route: refused.
  const own = await request.get('/api/v1/members', { headers: { ...auth(acme), ActiveProjectID: M2M_TENANT_ID } });
  expect(own.status()).toBe(200);
  const mine = await (await request.get('/api/v1/tenants', { headers: auth(acme) })).json();
  expect(mine.items.map((t: { name: string }) => t.name)).toEqual(['m2m-acme']);
  const system = await request.get('/api/v1/members', { headers: { ...auth(acme), ActiveProjectID: '00000000-0000-4000-8000-000000000001' } });
  expect(system.status()).toBe(403);
  expect((await system.json()).error.code).toBe('no_role_in_tenant');
  const refused = await request.post('/api/v1/tenants', { headers: auth(acme), data: { name: 'nope' } });
  expect(refused.status()).toBe(403);

  // A tampered token is refused.
  const [h, p, s] = acme.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: [`00000000-0000-4000-8000-000000000001_admin`] })).toString('base64url');
  const bad = await request.get('/api/v1/me', { headers: auth(`${h}.${forged}.${s}`) });
  expect(bad.status()).toBe(401);
  expect((await bad.json()).error.code).toBe('invalid_token');
});
