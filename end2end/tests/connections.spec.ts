import { test, expect, Browser, Page } from '@playwright/test';
import { loginViaIdp, hydrated } from './helpers';

// Seed 000's procedure, with two tenant admins in two browsers: the provider issues a
// one-time secret, the consumer redeems it, both see the connection, then it is revoked.
test.describe.configure({ mode: 'serial' });

async function userPage(browser: Browser, name: string): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await loginViaIdp(page, name);
  return page;
}

async function tenantId(page: Page, tenant: string): Promise<string> {
  await page.goto(`/t/${tenant}`);
  return (await page.getByTestId('tenant-id').textContent())!.trim();
}

test('provider issues a secret, consumer connects, a policy allows a service, and either can revoke', async ({ browser }) => {
  // The global admin sets up two tenants, each with its own tenant admin.
  const admin = await userPage(browser, 'admin');
  await admin.goto('/admin/tenants');
  await hydrated(admin);
  for (const [tenant, person] of [['north', 'nora'], ['south', 'sam']]) {
    await admin.getByLabel('Name', { exact: true }).fill(tenant);
    await admin.getByRole('button', { name: 'Create tenant' }).click();
    await expect(admin.getByRole('table', { name: 'Tenants' }).getByRole('link', { name: tenant, exact: true })).toBeVisible();
    await admin.goto(`/t/${tenant}/members`);
    await hydrated(admin);
    await admin.getByLabel('Email', { exact: true }).fill(`${person}@example.test`);
    await admin.getByLabel('Role', { exact: true }).selectOption('tenant-admin');
    await admin.getByRole('button', { name: 'Add member' }).click();
    await expect(admin.getByTestId('member-row').filter({ hasText: person })).toBeVisible();
    await admin.goto('/admin/tenants');
    await hydrated(admin);
  }
  const northId = await tenantId(admin, 'north');
  const southId = await tenantId(admin, 'south');

  // Provider (north): NCS Networking -> Cross-Tenant Connections -> Create connection secret.
  const nora = await userPage(browser, 'nora');
  await nora.getByRole('link', { name: 'Cross-Tenant Connections' }).click();
  await expect(nora).toHaveURL(/\/t\/north\/connections$/);
  await hydrated(nora);
  await expect(nora.getByTestId('empty-state').first()).toContainText('No connections');
  await expect(nora.getByLabel('Expires after')).toHaveValue('86400');
  await nora.getByLabel('Note').fill('for south');
  await nora.getByRole('button', { name: 'Create connection secret' }).click();
  await expect(nora.getByTestId('new-secret')).toContainText('shown only once');
  const secret = await nora.getByTestId('secret-value').inputValue();
  expect(secret).toMatch(/^ncs_[0-9a-f]{64}$/);
  const secretRow = nora.getByTestId('secret-row').filter({ hasText: 'for south' });
  await expect(secretRow).toContainText('Pending');
  await expect(secretRow).not.toContainText(secret);

  // Consumer (south): Connect to external tenant -> paste -> Connect.
  const sam = await userPage(browser, 'sam');
  await sam.goto('/t/south/connections');
  await hydrated(sam);
  await sam.getByLabel('Connection secret', { exact: true }).fill(secret);
  await sam.getByRole('button', { name: 'Connect', exact: true }).click();
  const samRow = sam.getByTestId('connection-row').filter({ hasText: 'north' });
  await expect(samRow).toBeVisible();
  await expect(samRow.getByTestId('remote-tenant-id')).toHaveText(northId);
  await expect(samRow.getByTestId('connection-status')).toHaveText('Active, no services allowed');
  await expect(samRow).toContainText('Consumes from');
  await expect(sam.getByLabel('Connection secret', { exact: true })).toHaveValue('');

  // The secret works once: a second redemption is refused with its reason.
  await sam.getByLabel('Connection secret', { exact: true }).fill(secret);
  await sam.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(sam.getByTestId('connect-error')).toContainText('already been used');

  // The provider sees the same connection, and the secret as used.
  await nora.reload();
  await hydrated(nora);
  const noraRow = nora.getByTestId('connection-row').filter({ hasText: 'south' });
  await expect(noraRow.getByTestId('remote-tenant-id')).toHaveText(southId);
  await expect(noraRow.getByTestId('connection-status')).toHaveText('Active, no services allowed');
  await expect(noraRow).toContainText('Provides to');
  await expect(nora.getByTestId('secret-row').filter({ hasText: 'for south' })).toContainText('Used');

  // The provider offers a service; the consumer has a workspace labelled project-a-ide.
  await nora.getByRole('link', { name: 'Services', exact: true }).click();
  await expect(nora).toHaveURL(/\/t\/north\/services$/);
  await hydrated(nora);
  await nora.getByLabel('Name', { exact: true }).fill('global-inventory-api');
  await nora.getByLabel('Port', { exact: true }).fill('8080');
  await nora.getByLabel('Protocol', { exact: true }).selectOption('http');
  await nora.getByRole('button', { name: 'Create service' }).click();
  await expect(nora.getByTestId('service-row').filter({ hasText: 'global-inventory-api' })).toContainText(`global-inventory-api.${northId}.aether.internal`);

  await sam.getByRole('link', { name: 'Workspaces', exact: true }).click();
  await hydrated(sam);
  await sam.getByLabel('Name', { exact: true }).fill('ide-a');
  await sam.getByLabel('Labels', { exact: true }).fill('project-a-ide');
  await sam.getByRole('button', { name: 'Create workspace' }).click();
  await expect(sam.getByTestId('workspace-row').filter({ hasText: 'ide-a' })).toContainText('project-a-ide');

  // The consumer sees the provider's service under its DNS name.
  await sam.getByRole('link', { name: 'Services', exact: true }).click();
  await expect(sam.getByTestId('remote-service-row').filter({ hasText: 'global-inventory-api' }).getByTestId('dns-name'))
    .toHaveText(`global-inventory-api.${northId}.aether.internal`);

  // A connection alone allows nothing: the check says so, with its reason.
  const check = async (expected: RegExp, reason: string) => {
    await sam.goto('/t/south/network-policies');
    await hydrated(sam);
    await sam.getByLabel('Workspace label', { exact: true }).fill('project-a-ide');
    await sam.getByLabel('Destination tenant', { exact: true }).selectOption({ label: reason === 'connection_revoked' ? 'north (revoked)' : 'north' });
    await sam.getByLabel('Service', { exact: true }).fill('global-inventory-api');
    await sam.getByRole('button', { name: 'Check', exact: true }).click();
    const result = sam.getByTestId('check-result');
    await expect(result).toHaveText(expected);
    await expect(result).toHaveAttribute('data-reason', reason);
  };
  await check(/^Denied.*No policy allows/, 'no_policy');

  // Draft an allow policy from the connection; the editor lints as you type.
  await sam.goto('/t/south/connections');
  await hydrated(sam);
  await samRow.getByRole('link', { name: 'Draft an allow policy' }).click();
  await expect(sam).toHaveURL(/\/t\/south\/network-policies\/new\?for=/);
  await hydrated(sam);
  const editor = sam.getByLabel('Policy (YAML)', { exact: true });
  await expect(editor).toHaveValue(new RegExp(`tenantID: "${northId}"`));
  await expect(editor).toHaveValue(/serviceName: "global-inventory-api"/);
  await editor.fill('kind: NCSPolicy\nmetadata:\n  name: allow-external-api\nspec:\n  sourc:\n    workspaceLabel: project-a-ide\n');
  await expect(sam.getByTestId('lint-issues')).toContainText('Line 5');
  await expect(sam.getByTestId('lint-issues')).toContainText('Unknown field `sourc`');
  await editor.fill([
    '# Example NCS Policy in the Consumer Tenant',
    'kind: NCSPolicy',
    'metadata:',
    '  name: allow-external-api',
    'spec:',
    '  source:',
    '    workspaceLabel: project-a-ide',
    '  destination:',
    `    tenantID: "${northId}" # The remote Tenant ID`,
    '    serviceName: "global-inventory-api"',
    '  action: allow',
    '',
  ].join('\n'));
  await expect(sam.getByTestId('lint-ok')).toBeVisible();
  await sam.getByRole('button', { name: 'Create policy' }).click();
  await expect(sam).toHaveURL(/\/t\/south\/network-policies\?saved=allow-external-api/);
  await expect(sam.getByTestId('policy-row').filter({ hasText: 'allow-external-api' })).toContainText('project-a-ide');

  // Now the same check is allowed, naming the policy; both sides show it on the connection.
  await check(/^Allowed.*allow-external-api/, 'allowed_by_policy');
  await sam.goto('/t/south/connections');
  await expect(samRow.getByTestId('connection-status')).toHaveText('Active, 1 allow policy');
  await nora.goto('/t/north/connections');
  await hydrated(nora);
  await expect(noraRow.getByTestId('connection-status')).toHaveText('Active, 1 allow policy');

  // The data plane reports traffic; the connection page charts it per day, on both sides.
  const connectionHref = await samRow.getByRole('link', { name: 'north', exact: true }).getAttribute('href');
  const connectionId = connectionHref!.split('/').pop()!;
  const ingest = await sam.request.post('/api/v1/traffic', {
    headers: { Authorization: `Bearer ${process.env.E2E_DATAPLANE_TOKEN}` },
    data: [
      { connection_id: connectionId, bytes: 1_500_000, flows: 3, at: Date.now() },
      { connection_id: connectionId, bytes: 500_000, flows: 1, at: Date.now() },
    ],
  });
  expect(ingest.status()).toBe(202);
  for (const [page, tenant] of [[sam, 'south'], [nora, 'north']] as const) {
    await page.goto(`/t/${tenant}/connections/${connectionId}`);
    await expect(page.getByTestId('traffic-total')).toHaveText(/^2\.0 MB in 4 flows/);
    await expect(page.getByRole('img', { name: /Bytes per day/ })).toBeVisible();
  }
  // The status links to the policies behind it: the consumer opens its own policy, the
  // provider sees which of its services the consumer allows (not the policy's text).
  await sam.goto(`/t/south/connections/${connectionId}`);
  const samPolicy = sam.getByTestId('connection-policy-row');
  await expect(samPolicy).toContainText('global-inventory-api');
  await expect(samPolicy).toContainText('project-a-ide');
  await expect(samPolicy.getByRole('link', { name: 'allow-external-api' }))
    .toHaveAttribute('href', '/t/south/network-policies/allow-external-api');
  await expect(sam.getByRole('link', { name: 'Active, 1 allow policy' })).toHaveAttribute('href', '#policies-title');
  await expect(nora.getByRole('heading', { name: 'Your services that south allows' })).toBeVisible();
  const noraPolicy = nora.getByTestId('connection-policy-row');
  await expect(noraPolicy).toContainText('global-inventory-api');
  await expect(noraPolicy).toContainText('a policy of south');
  await expect(noraPolicy.getByRole('link')).toHaveCount(0);

  // The provider revokes from the connection's page (after confirming); both sides see
  // Revoked, there and in their lists.
  await hydrated(nora);
  await nora.getByText('Revoke', { exact: true }).click();
  await nora.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(nora.getByTestId('connection-status')).toHaveText('Revoked');
  await nora.goto('/t/north/connections');
  await expect(noraRow.getByTestId('connection-status')).toHaveText('Revoked');
  await sam.goto('/t/south/connections');
  await expect(samRow.getByTestId('connection-status')).toHaveText('Revoked');

  // Revoked, the connection carries nothing, whatever the policy says.
  await check(/^Denied.*revoked/, 'connection_revoked');

  // The platform's map: each node of the graph links to its tenant, each row to the
  // connection.
  await admin.goto('/admin/connection-map');
  await hydrated(admin);
  const graph = admin.getByTestId('connection-graph');
  await expect(graph.getByRole('link', { name: 'Tenant north' })).toBeVisible();
  await expect(admin.getByTestId('map-row').filter({ hasText: 'south' }).getByRole('link', { name: 'Revoked' }))
    .toHaveAttribute('href', `/t/north/connections/${connectionId}`);
  await graph.getByRole('link', { name: 'Tenant south' }).click();
  await expect(admin).toHaveURL(/\/t\/south$/);

  // Both audit logs recorded it.
  for (const [page, tenant] of [[nora, 'north'], [sam, 'south']] as const) {
    await page.goto(`/t/${tenant}/audit`);
    await expect(page.getByTestId('audit-row').filter({ hasText: 'connection.revoke' })).toBeVisible();
    await expect(page.getByTestId('audit-row').filter({ hasText: 'connection.create' })).toBeVisible();
  }
});
