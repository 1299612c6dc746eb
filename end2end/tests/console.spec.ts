import { test, expect, Page } from '@playwright/test';
import { loginViaIdp, openSwitcher, hydrated } from './helpers';

// One story, in order: the global admin builds the world the tenant admin then lives in.
test.describe.configure({ mode: 'serial' });

function collectErrors(page: Page) {
  const errors: string[] = [];
  // Only the console's own pages count (the IdP's pages try to load web fonts).
  const ours = () => new URL(page.url()).port === '3100';
  page.on('pageerror', (e) => { if (ours()) errors.push(String(e)); });
  page.on('console', (m) => {
    // Expected refusals (422, 409…) show up as failed loads; real faults are 5xx or panics.
    if (m.type() === 'error' && ours() && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

test('global admin logs in through the IdP, creates two tenants, switches between them and adds a tenant admin', async ({ page }) => {
  const errors = collectErrors(page);
  await loginViaIdp(page, 'admin');
  await page.goto('/t/admin');
  await hydrated(page);
  await expect(page.getByTestId('switcher-button')).toHaveText('admin (admin)');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
  // Global pages live under /admin, whichever tenant one is in.
  await expect(page).toHaveURL(/\/admin\/tenants$/);
  await expect(page.getByTestId('switcher-button')).toHaveText('admin (all tenants)');
  await expect(page.getByRole('heading', { name: 'Tenants', level: 1 })).toBeVisible();

  // Bad input: a clear inline error, and nothing is created.
  await page.getByLabel('Name', { exact: true }).fill('Bad Name');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.locator('#tenant-name-error')).toContainText('lowercase');
  await expect(page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name: 'Bad Name' })).toHaveCount(0);

  for (const [name, labels] of [['acme', 'env=prod, team=analytics'], ['globex', 'env=stage']]) {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Labels', { exact: true }).fill(labels);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await expect(page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name, exact: true })).toBeVisible();
  }
  // A duplicate name is refused with a message.
  await page.getByLabel('Name', { exact: true }).fill('acme');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already exists' })).toBeVisible();
  // The label filter narrows the list.
  await page.getByRole('textbox', { name: 'Filter by label' }).fill('env=stage');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('tenant-row')).toHaveCount(1);
  await expect(page.getByTestId('tenant-row')).toContainText('globex');

  // Enter acme, go to its members page.
  await page.goto('/t/acme');
  await hydrated(page);
  await expect(page.getByTestId('switcher-button')).toHaveText('admin (acme)');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
  await expect(page).toHaveURL(/\/t\/acme\/members$/);

  // Switch to globex by searching; the page (members) is kept.
  await openSwitcher(page);
  await page.getByRole('combobox', { name: 'Search tenants' }).fill('glob');
  await page.getByTestId('switcher-item').filter({ hasText: /^globex$/ }).click();
  await expect(page).toHaveURL(/\/t\/globex\/members$/);
  await expect(page.getByTestId('switcher-button')).toHaveText('admin (globex)');
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();

  // Add bob as globex's tenant admin.
  await page.getByLabel('Email', { exact: true }).fill('bob@example.test');
  await page.getByLabel('Role', { exact: true }).selectOption('tenant-admin');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByTestId('member-row').filter({ hasText: 'bob@example.test' })).toBeVisible();

  // Back to acme through the recent list, and add alice as its tenant admin.
  await openSwitcher(page);
  await page.getByRole('group', { name: 'Recent tenants' }).getByRole('option', { name: 'acme' }).click();
  await expect(page).toHaveURL(/\/t\/acme\/members$/);
  await page.getByLabel('Email', { exact: true }).fill('alice@example.test');
  await page.getByLabel('Role', { exact: true }).selectOption('tenant-admin');
  await page.getByRole('button', { name: 'Add member' }).click();
  const alice = page.getByTestId('member-row').filter({ hasText: 'alice@example.test' });
  await expect(alice).toBeVisible();
  await expect(alice).toContainText('pending');
  // The form is cleared for the next entry; adding her again is refused and changes nothing.
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue('');
  await page.getByLabel('Email', { exact: true }).fill('ALICE@example.test');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already a member' })).toBeVisible();
  await expect(alice).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('a tenant admin sees only their own tenant, and another tenant answers 404', async ({ page }) => {
  const errors = collectErrors(page);
  await loginViaIdp(page, 'alice');
  await expect(page).toHaveURL(/\/t\/acme$/);
  await hydrated(page);
  await expect(page.getByTestId('switcher-button')).toHaveText('acme');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' })).toHaveCount(0);

  await openSwitcher(page);
  await expect(page.getByTestId('switcher-item')).toHaveText(['acme']);
  await page.getByRole('combobox', { name: 'Search tenants' }).fill('glob');
  await expect(page.getByText('No tenant matches.')).toBeVisible();

  for (const path of ['/t/globex', '/t/globex/members', '/t/admin/tenants', '/t/no-such-tenant']) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(page.locator('body')).not.toContainText('globex@');
  }

  // Her role list never offers the global admin role.
  await page.goto('/t/acme/members');
  await hydrated(page);
  await expect(page.getByLabel('Role', { exact: true }).locator('option')).toHaveText(['Viewer', 'Tenant admin']);
  const me = page.getByTestId('member-row').filter({ hasText: 'alice@example.test' });
  await expect(me).toContainText('you');
  await expect(me).not.toContainText('pending');
  expect(errors).toEqual([]);
});

test('logout ends the session here and at the IdP', async ({ page }) => {
  await loginViaIdp(page, 'alice');
  await page.getByRole('button', { name: 'Log out' }).click();
  // oidc-provider asks to confirm RP-initiated logout.
  const confirm = page.getByRole('button', { name: /yes, sign me out/i });
  await expect(confirm).toBeVisible();
  await confirm.click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await expect(page.getByText('You have been logged out.')).toBeVisible();
  await page.goto('/t/acme/members');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('the bootstrap admin logs in with a password, and a wrong one is refused', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill('admin@localhost');
  await page.getByLabel('Password', { exact: true }).fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in with password' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('Wrong email or password.');
  await page.getByLabel('Email', { exact: true }).fill('admin@localhost');
  await page.getByLabel('Password', { exact: true }).fill(process.env.E2E_ADMIN_PASSWORD ?? '');
  await page.getByRole('button', { name: 'Sign in with password' }).click();
  await expect(page).toHaveURL(/\/t\//);
  await expect(page.getByTestId('user-email')).toHaveText('admin@localhost');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('login, navigation, switching and a form post still work', async ({ page }) => {
    await loginViaIdp(page, 'admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await expect(page).toHaveURL(/\/members$/);
    await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();

    // The switcher is a <details> with a GET search form.
    await page.getByTestId('switcher-button').click();
    await page.getByRole('combobox', { name: 'Search tenants' }).fill('acm');
    await page.getByRole('combobox', { name: 'Search tenants' }).press('Enter');
    await expect(page).toHaveURL(/tq=acm/);
    await page.getByTestId('switcher-item').filter({ hasText: /^acme$/ }).click();
    await expect(page).toHaveURL(/\/t\/acme\/members$/);

    // A server function posted as a plain form, then back to the page.
    await page.getByLabel('Email', { exact: true }).fill('carol@example.test');
    await page.getByRole('button', { name: 'Add member' }).click();
    await expect(page).toHaveURL(/\/t\/acme\/members/);
    await expect(page.getByTestId('member-row').filter({ hasText: 'carol@example.test' })).toBeVisible();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await expect(page.getByTestId('audit-row').filter({ hasText: 'member.add' }).first()).toBeVisible();

    // A connection secret issued by a plain form post is shown once after the redirect,
    // and never again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cross-Tenant Connections' }).click();
    await page.getByLabel('Note', { exact: true }).fill('no-js secret');
    await page.getByRole('button', { name: 'Create connection secret' }).click();
    await expect(page).toHaveURL(/\/t\/acme\/connections/);
    await expect(page.getByTestId('secret-value')).toHaveValue(/^ncs_[0-9a-f]{64}$/);
    await expect(page.getByTestId('secret-row').filter({ hasText: 'no-js secret' })).toContainText('Pending');
    await page.reload();
    await expect(page.getByTestId('secret-value')).toHaveCount(0);
  });
});
