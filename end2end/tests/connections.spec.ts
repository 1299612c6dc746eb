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

test('provider issues a secret, consumer connects, both see it, and either can revoke', async ({ browser }) => {
  // The global admin sets up two tenants, each with its own tenant admin.
  const admin = await userPage(browser, 'admin');
  await admin.goto('/t/admin/tenants');
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
    await admin.goto('/t/admin/tenants');
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

  // The provider revokes (after confirming); both sides see Revoked.
  await noraRow.getByText('Revoke', { exact: true }).click();
  await nora.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(noraRow.getByTestId('connection-status')).toHaveText('Revoked');
  await sam.reload();
  await expect(samRow.getByTestId('connection-status')).toHaveText('Revoked');

  // Both audit logs recorded it.
  for (const [page, tenant] of [[nora, 'north'], [sam, 'south']] as const) {
    await page.goto(`/t/${tenant}/audit`);
    await expect(page.getByTestId('audit-row').filter({ hasText: 'connection.revoke' })).toBeVisible();
    await expect(page.getByTestId('audit-row').filter({ hasText: 'connection.create' })).toBeVisible();
  }
});
