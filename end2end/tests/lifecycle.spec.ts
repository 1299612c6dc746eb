import { test, expect, Browser, Page } from '@playwright/test';
import { loginViaIdp, hydrated, tenantWithAdmin } from './helpers';

// Seeds 003 and 004 in the browser: a global admin deletes a tenant that has a connection
// and a cloud. The dry run lists them, the confirmation needs the tenant's name, the
// progress runs to the end on the tenants list, the peer's admin sees the connection
// revoked with an alert they acknowledge, and the deleted tenant's admin is logged out.
test.describe.configure({ mode: 'serial' });

const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----';

async function userPage(browser: Browser, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginViaIdp(page, name);
  return page;
}

test('deleting a tenant: dry run, confirmation by name, progress, the peer alerted, its admin logged out', async ({ browser }) => {
  const admin = await userPage(browser, 'admin');
  await tenantWithAdmin(admin, 'lc-doomed', 'dana');
  await tenantWithAdmin(admin, 'lc-peer', 'pete');

  // The peer offers a connection and the doomed tenant takes it.
  const pete = await userPage(browser, 'pete');
  await pete.goto('/t/lc-peer/connections');
  await hydrated(pete);
  await pete.getByRole('button', { name: 'Create connection secret' }).click();
  const secret = await pete.getByTestId('secret-value').inputValue();
  const dana = await userPage(browser, 'dana');
  await dana.goto('/t/lc-doomed/connections');
  await hydrated(dana);
  await dana.getByLabel('Connection secret', { exact: true }).fill(secret);
  await dana.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(dana.getByTestId('connection-row').filter({ hasText: 'lc-peer' })).toBeVisible();

  // And it has a cloud.
  await dana.goto('/t/lc-doomed/clouds/new');
  await dana.getByRole('link', { name: /Linux Server Cloud/ }).click();
  await hydrated(dana);
  await dana.getByLabel('Cloud name').fill('lsc-doomed');
  await dana.getByLabel('Hosts').fill('10.0.0.11 ubuntu');
  await dana.getByLabel('SSH private key').fill(SSH_KEY);
  await dana.getByRole('button', { name: 'Next: review' }).click();
  await dana.getByRole('button', { name: 'Create cloud' }).click();
  await expect(dana.getByRole('heading', { name: 'lsc-doomed' })).toBeVisible();

  // The dry run: what goes, in order; nothing has changed yet.
  await admin.goto('/admin/tenants');
  await hydrated(admin);
  await expect(admin.getByRole('link', { name: 'Delete tenant admin' })).toHaveCount(0);
  await admin.getByRole('link', { name: 'Delete tenant lc-doomed' }).click();
  await expect(admin).toHaveURL(/\/admin\/tenants\/lc-doomed\/delete$/);
  await expect(admin.getByRole('heading', { name: 'Delete tenant lc-doomed' })).toBeVisible();
  const plan = admin.getByTestId('teardown-plan');
  await expect(plan.getByTestId('plan-step').first()).toContainText('Invalidate connection secrets');
  await expect(plan.getByTestId('plan-item').filter({ hasText: 'active connections' })).toContainText('1');
  await expect(plan.getByTestId('plan-item').filter({ hasText: /^\s*1 clouds$/ })).toBeVisible();
  await expect(plan.getByTestId('plan-item').filter({ hasText: 'VRF contexts' })).toContainText('2');
  await expect(plan.getByTestId('plan-step').last()).toContainText('Delete the tenant');

  // The name must be typed exactly.
  await hydrated(admin);
  await admin.getByLabel('Type lc-doomed to confirm').fill('lc-doome');
  await admin.getByRole('button', { name: 'Delete tenant lc-doomed' }).click();
  await expect(admin.locator('#confirm-tenant-name-error')).toContainText('Type the tenant');
  await admin.getByLabel('Type lc-doomed to confirm').fill('lc-doomed');
  await admin.getByRole('button', { name: 'Delete tenant lc-doomed' }).click();

  // The tenants list follows the teardown to the end.
  await expect(admin).toHaveURL(/\/admin\/tenants\?q=lc-doomed&deleting=lc-doomed$/);
  await expect(admin.getByTestId('deletion-note')).toHaveText('Tenant lc-doomed was deleted.', { timeout: 20_000 });
  await expect(admin.getByRole('table', { name: 'Tenants' })).toHaveCount(0);

  // The peer's admin finds the connection revoked, and an alert in the header.
  await pete.goto('/t/lc-peer/connections');
  await expect(pete.getByTestId('connection-row').filter({ hasText: 'lc-doomed' }).getByTestId('connection-status')).toContainText('Revoked');
  await expect(pete.getByTestId('alerts-unread')).toHaveText('1 alert');
  await pete.getByTestId('alerts-unread').click();
  await expect(pete).toHaveURL(/\/t\/lc-peer\/alerts$/);
  await hydrated(pete);
  const alert = pete.getByTestId('alert-row').filter({ hasText: 'Tenant lc-doomed was deleted: its connection with you is revoked.' });
  await expect(alert).toBeVisible();
  await alert.getByRole('button', { name: /^Acknowledge/ }).click();
  await expect(pete.getByTestId('empty-state')).toContainText('No open alerts');
  await expect(pete.getByTestId('alerts-unread')).toHaveCount(0);

  // The deleted tenant's admin is logged out on their next click.
  await dana.goto('/t/lc-doomed/clouds');
  await expect(dana.getByRole('heading', { name: 'Please log in' })).toBeVisible();
  await dana.goto('/');
  await expect(dana).toHaveURL(/\/login/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a wrong confirmation comes back inline, and nothing is deleted', async ({ page }) => {
    await loginViaIdp(page, 'admin');
    await page.goto('/admin/tenants');
    await page.getByLabel('Name', { exact: true }).fill('lc-kept');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.goto('/admin/tenants/lc-kept/delete');
    await expect(page.getByTestId('teardown-plan')).toBeVisible();
    await page.getByLabel('Type lc-kept to confirm').fill('nope');
    await page.getByRole('button', { name: 'Delete tenant lc-kept' }).click();
    await expect(page.locator('#confirm-tenant-name-error')).toContainText('Type the tenant');
    await page.goto('/admin/tenants?q=lc-kept');
    await expect(page.getByTestId('tenant-row').filter({ hasText: 'lc-kept' })).toContainText('Ready');
  });
});
