import { expect, Page } from '@playwright/test';

/** Signs in through the dev OpenID Provider (its own login and consent pages). */
export async function loginViaIdp(page: Page, username: string) {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Dev IdP' }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:4100\/interaction\//);
  await page.getByPlaceholder('Enter any login').fill(username);
  await page.getByPlaceholder('and password').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // The provider asks for consent the first time this client meets this account.
  const consent = page.getByRole('button', { name: 'Continue' });
  await page.waitForURL((url) => url.port !== '4100' || url.pathname.includes('/interaction/'));
  if (new URL(page.url()).port === '4100' && (await consent.isVisible())) {
    await consent.click();
  }
  await expect(page).toHaveURL(/127\.0\.0\.1:3100\/t\//);
}

/** Waits until the page has hydrated (the WASM bundle ran). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** Opens the header's tenant switcher. */
export async function openSwitcher(page: Page) {
  const details = page.getByTestId('tenant-switcher');
  if ((await details.getAttribute('open')) === null) {
    await page.getByRole('button', { name: 'Switch tenant' }).or(page.getByTestId('switcher-button')).first().click();
  }
  await expect(page.getByRole('combobox', { name: 'Search tenants' })).toBeVisible();
}

/** As a global admin: creates `tenant` on the tenants page and makes `person`
 * (`<person>@example.test`) its tenant admin on its members page. */
export async function tenantWithAdmin(admin: Page, tenant: string, person: string) {
  await admin.goto('/admin/tenants');
  await hydrated(admin);
  await admin.getByLabel('Name', { exact: true }).fill(tenant);
  await admin.getByRole('button', { name: 'Create tenant' }).click();
  await expect(admin.getByRole('table', { name: 'Tenants' }).getByRole('link', { name: tenant, exact: true })).toBeVisible();
  await admin.goto(`/t/${tenant}/members`);
  await hydrated(admin);
  await admin.getByLabel('Email', { exact: true }).fill(`${person}@example.test`);
  await admin.getByLabel('Role', { exact: true }).selectOption('tenant-admin');
  await admin.getByRole('button', { name: 'Add member' }).click();
  await expect(admin.getByTestId('member-row').filter({ hasText: person })).toBeVisible();
}
