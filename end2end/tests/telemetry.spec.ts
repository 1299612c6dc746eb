import { test, expect, Browser, Page } from '@playwright/test';
import { loginViaIdp, hydrated, tenantWithAdmin } from './helpers';

// Seed 003 in the browser: a tenant as a container. Its metrics draw what it holds, its
// usage is counted per day and downloads as CSV and JSON tagged with the tenant, its log
// shows the controller's bootstrap and each sign-in, and each audited change names the
// request that made it.
test.describe.configure({ mode: 'serial' });

async function userPage(browser: Browser, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginViaIdp(page, name);
  return page;
}

test('metrics, usage downloads, the log and the request of each change', async ({ browser }) => {
  const admin = await userPage(browser, 'admin');
  await tenantWithAdmin(admin, 'tm-acme', 'tara');
  const tara = await userPage(browser, 'tara');

  // Metrics: what the tenant holds, by kind, and today's bar of the resources chart.
  await tara.goto('/t/tm-acme');
  await tara.getByRole('link', { name: 'Metrics' }).click();
  await expect(tara).toHaveURL(/\/t\/tm-acme\/metrics$/);
  const members = tara.getByTestId('resource-counts').getByTestId('count-bar').filter({ hasText: 'Members' });
  await expect(members).toContainText('1');
  await expect(tara.getByTestId('metric-resources')).toHaveText('1');
  await expect(tara.getByRole('img', { name: /^Resources per day from .* peak 1$/ })).toBeVisible();
  await expect(tara.getByText('No API calls yet')).toBeVisible();

  // Usage: the controller counted the tenant today; the downloads carry its name and id.
  await tara.getByRole('link', { name: 'Usage and export' }).click();
  await expect(tara).toHaveURL(/\/t\/tm-acme\/usage$/);
  await expect.poll(async () => {
    await tara.reload();
    return decodeURIComponent((await tara.getByTestId('usage-csv').getAttribute('href')) ?? '');
  }, { timeout: 15_000 }).toContain(',tm-acme,tenant,1');
  const csv = decodeURIComponent((await tara.getByTestId('usage-csv').getAttribute('href'))!);
  expect(csv).toMatch(/^data:text\/csv;charset=utf-8,day,tenant_id,tenant_name,kind,quantity\n/);
  const json = decodeURIComponent((await tara.getByTestId('usage-json').getAttribute('href'))!);
  expect(JSON.parse(json.replace(/^data:application\/json;charset=utf-8,/, ''))).toContainEqual(
    expect.objectContaining({ tenant_name: 'tm-acme', kind: 'tenant', quantity: 1 }));
  await expect(tara.getByTestId('usage-csv')).toHaveAttribute('download', /^usage-tm-acme-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
  // A backwards span is refused with a clear error.
  await tara.goto('/t/tm-acme/usage?from=2026-12-09&to=2026-12-01');
  await expect(tara.getByRole('alert')).toContainText('The first day must not be after the last.');

  // The log: the controller's bootstrap and tara's sign-in, searchable by source.
  await tara.goto('/t/tm-acme/logs');
  await expect(tara.getByTestId('log-row').filter({ hasText: 'Bootstrapped by the tenant controller' })).toBeVisible();
  await expect(tara.getByTestId('log-row').filter({ hasText: 'tara@example.test signed in' })).toBeVisible();
  await hydrated(tara);
  await tara.getByLabel('Source').selectOption('login');
  await tara.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(tara).toHaveURL(/source=login/);
  await expect(tara.getByTestId('log-row').filter({ hasText: 'Bootstrapped' })).toHaveCount(0);
  await expect(tara.getByTestId('log-row').filter({ hasText: 'tara@example.test signed in' })).toBeVisible();

  // The audit log names the request of each change; following it shows that change alone.
  await tara.goto('/t/tm-acme/members');
  await hydrated(tara);
  await tara.getByLabel('Email', { exact: true }).fill('vic@example.test');
  await tara.getByRole('button', { name: 'Add member' }).click();
  await expect(tara.getByTestId('member-row').filter({ hasText: 'vic@example.test' })).toBeVisible();
  await tara.goto('/t/tm-acme/audit');
  const row = tara.getByTestId('audit-row').filter({ hasText: 'vic@example.test' });
  await row.getByTestId("audit-request").click();
  await expect(tara).toHaveURL(/\?request=[0-9a-f-]{36}$/);
  await expect(tara.getByTestId('audit-row')).toHaveCount(1);
  await expect(tara.getByTestId('audit-row')).toContainText('vic@example.test');
  await expect(tara.getByLabel('Request ID', { exact: true })).toHaveValue(/^[0-9a-f-]{36}$/);
});

test('a deleted tenant\'s audit log is read under Archived logs', async ({ browser }) => {
  const admin = await userPage(browser, 'admin');
  await admin.goto('/admin/tenants');
  await hydrated(admin);
  await admin.getByLabel('Name', { exact: true }).fill('tm-gone');
  await admin.getByRole('button', { name: 'Create tenant' }).click();
  await admin.getByRole('link', { name: 'Delete tenant tm-gone' }).click();
  await hydrated(admin);
  await admin.getByLabel('Type tm-gone to confirm').fill('tm-gone');
  await admin.getByRole('button', { name: 'Delete tenant tm-gone' }).click();
  await expect(admin.getByTestId('deletion-note')).toHaveText('Tenant tm-gone was deleted.', { timeout: 20_000 });
  await admin.getByRole('link', { name: 'Archived logs' }).click();
  await expect(admin).toHaveURL(/\/admin\/archive$/);
  await admin.getByTestId('archive-row').getByRole('link', { name: 'tm-gone' }).click();
  await expect(admin.getByRole('heading', { name: 'Audit log of tm-gone' })).toBeVisible();
  await expect(admin.getByTestId('archived-event').filter({ hasText: 'tenant.deleted' })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the log filters and a bad usage date answer on the page', async ({ page }) => {
    await loginViaIdp(page, 'admin');
    await page.goto('/t/admin/logs');
    await page.getByLabel('Search', { exact: true }).fill('signed in');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page).toHaveURL(/q=signed\+in/);
    await expect(page.getByTestId('log-row').first()).toContainText('signed in');
    await page.goto('/t/admin/usage?from=yesterday');
    await expect(page.getByRole('alert')).toContainText('Enter a date as YYYY-MM-DD.');
    await page.goto('/t/admin/metrics');
    await expect(page.getByTestId('resource-counts')).toBeVisible();
  });
});
