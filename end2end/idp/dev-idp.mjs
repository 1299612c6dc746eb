// Dev/test OpenID Provider (npm `oidc-provider`) on loopback, for the README's run
// command and the end-to-end tests. NOT for production: in-memory storage, dev keys,
// and its built-in login page accepts any password.
//
// Env: IDP_PORT [4000], APP_URL [http://127.0.0.1:3000] (the console, for redirect URIs).
// Known accounts (type the name on the login page; any password works):
//   admin  -> admin@localhost   binds to the console's bootstrap admin: a global admin
//   alice  -> alice@example.test, bob -> bob@example.test, carol -> carol@example.test,
//   victor -> victor@example.test (add them to tenants with the roles you need)
// Any other name N signs in as N@example.test.
//
// Machine clients (client-credentials grant) get JWT access tokens for the console's
// REST API, with a `roles` claim of `<tenant-uuid>_<role>` entries (seed 004):
//   automation-admin / automation-admin-secret -> global admin (role admin in the system tenant)
//   automation-acme  / automation-acme-secret  -> tenant-admin of tenant M2M_TENANT_ID
const SYSTEM_TENANT_ID = '00000000-0000-4000-8000-000000000001';
export const M2M_TENANT_ID = '7e57a000-0000-4000-8000-00000000ac3e';
const machineRoles = {
  'automation-admin': [`${SYSTEM_TENANT_ID}_admin`],
  'automation-acme': [`${M2M_TENANT_ID}_tenant-admin`],
};
import Provider from 'oidc-provider';

const port = Number(process.env.IDP_PORT ?? 4000);
const issuer = `http://127.0.0.1:${port}`;
const app = (process.env.APP_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');

const accounts = {
  admin: { email: 'admin@localhost', name: 'Console Admin' },
  alice: { email: 'alice@example.test', name: 'Alice Tenant-Admin' },
  bob: { email: 'bob@example.test', name: 'Bob Tenant-Admin' },
  carol: { email: 'carol@example.test', name: 'Carol Tenant-Admin' },
  victor: { email: 'victor@example.test', name: 'Victor Viewer' },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'tenantry-dev',
      client_secret: 'tenantry-dev-secret',
      redirect_uris: [`${app}/auth/oidc/dev/callback`],
      post_logout_redirect_uris: [`${app}/login?logged_out=1`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    ...Object.keys(machineRoles).map((id) => ({
      client_id: id,
      client_secret: `${id}-secret`,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
  ],
  // JWT access tokens whose audience is the console's client id, for machine clients only
  // (browser logins keep opaque tokens, which the userinfo endpoint needs).
  extraTokenClaims(ctx, token) {
    const roles = machineRoles[token.clientId];
    return roles ? { roles } : undefined;
  },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const known = accounts[id] ?? { email: `${id}@example.test`, name: id };
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: known.name, preferred_username: id, email: known.email, email_verified: true };
      },
    };
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client) => (machineRoles[client.clientId] ? 'urn:tenantry:api' : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: 'tenantry-dev',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  cookies: { keys: ['tenantry-dev-idp-cookie-key'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`dev IdP listening: ${issuer}/.well-known/openid-configuration (console at ${app})`);
});
