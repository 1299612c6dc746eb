import { test, expect, Browser, Page } from '@playwright/test';
import { loginViaIdp, hydrated, openSwitcher } from './helpers';

// IAM enforcement in the browser: a tenant admin makes a group and puts a member in it,
// the home tenant endorses the group toward another tenant and that tenant admits it,
// and the member then finds the other tenant under "Admitted" in the switcher, enters it
// with a banner that says how, sees only what was admitted, and loses it when the Admit
// is deleted. Without JavaScript, a group form answers with its inline error.
test.describe.configure({ mode: 'serial' });

async function userPage(browser: Browser, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginViaIdp(page, name);
  return page;
}

async function tenantId(page: Page, tenant: string): Promise<string> {
  await page.goto(`/t/${tenant}`);
  return (await page.getByTestId('tenant-id').textContent())!.trim();
}

async function newPolicy(page: Page, tenant: string, name: string, text: string) {
  await page.goto(`/t/${tenant}/iam-policies`);
  await hydrated(page);
  await page.getByRole('link', { name: 'New IAM policy' }).click();
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Statements', { exact: true }).fill(text);
  await expect(page.getByTestId('lint-ok')).toBeVisible();
  await page.getByRole('button', { name: 'Review changes' }).click();
  await expect(page.getByTestId('review-diff')).toBeVisible();
  await page.getByRole('button', { name: /Create policy/ }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${tenant}/iam-policies/${name}\\?saved=1$`));
}

test('a group, its member, and admission into another tenant by Endorse + Admit', async ({ browser }) => {
  const admin = await userPage(browser, 'admin');
  for (const tenant of ['grp-home', 'grp-dest']) {
    await admin.goto('/admin/tenants');
    await hydrated(admin);
    await admin.getByLabel('Name', { exact: true }).fill(tenant);
    await admin.getByRole('button', { name: 'Create tenant' }).click();
    await expect(admin.getByRole('table', { name: 'Tenants' }).getByRole('link', { name: tenant, exact: true })).toBeVisible();
  }
  await admin.goto('/t/grp-home/members');
  await hydrated(admin);
  await admin.getByLabel('Email', { exact: true }).fill('dora@example.test');
  await admin.getByRole('button', { name: 'Add member' }).click();
  await expect(admin.getByTestId('member-row').filter({ hasText: 'dora' })).toBeVisible();

  // Identity > Groups: empty, a refused name, then the group.
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
  await expect(admin).toHaveURL(/\/t\/grp-home\/groups$/);
  await hydrated(admin);
  await expect(admin.getByTestId('empty-state')).toContainText('No groups');
  await admin.getByLabel('Name', { exact: true }).fill('Partners');
  await admin.getByRole('button', { name: 'Create group' }).click();
  await expect(admin.locator('#group-name-error')).toContainText('lowercase');
  await admin.getByLabel('Name', { exact: true }).fill('partners');
  await admin.getByRole('button', { name: 'Create group' }).click();
  await expect(admin).toHaveURL(/\/t\/grp-home\/groups\/partners$/);
  await expect(admin.getByRole('heading', { name: 'Group partners' })).toBeVisible();
  await hydrated(admin);
  // Only members of the tenant join its groups.
  const email = admin.getByLabel('Email of a member of this tenant');
  await email.fill('nobody@example.test');
  await admin.getByRole('button', { name: 'Add to group' }).click();
  await expect(admin.locator('#group-member-email-error')).toContainText('not a member of this tenant');
  await email.fill('dora@example.test');
  await admin.getByRole('button', { name: 'Add to group' }).click();
  await expect(admin.getByTestId('group-member-row').filter({ hasText: 'dora@example.test' })).toBeVisible();

  // Both halves: grp-home endorses its partners toward grp-dest, grp-dest admits them.
  const homeId = await tenantId(admin, 'grp-home');
  const destId = await tenantId(admin, 'grp-dest');
  await newPolicy(admin, 'grp-home', 'endorse-dest',
    `Define tenancy Dest as ${destId}\nEndorse group partners to read network-family in tenancy Dest\n`);
  await newPolicy(admin, 'grp-dest', 'admit-home',
    `Define tenancy Home as ${homeId}\nAdmit group partners of tenancy Home to read network-family in tenancy\n`);

  // Dora finds grp-dest under "Admitted", with the verb, and enters it.
  const dora = await userPage(browser, 'dora');
  await expect(dora).toHaveURL(/\/t\/grp-home/);
  await hydrated(dora);
  await openSwitcher(dora);
  const admitted = dora.getByTestId('switcher-admitted');
  await expect(admitted).toContainText('grp-dest');
  await expect(admitted).toContainText('read access');
  await admitted.getByRole('option', { name: /grp-dest/ }).click();
  await expect(dora).toHaveURL(/\/t\/grp-dest/);
  await expect(dora.getByTestId('admitted-banner')).toHaveText("You are in grp-dest through grp-home's cross-access policy.");
  // Only what was admitted: networking, not members, clouds or IAM.
  const nav = dora.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Workspaces' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Members' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Clouds' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Workspaces' }).click();
  await expect(dora.getByRole('heading', { name: 'Workspaces' })).toBeVisible();
  await dora.goto('/t/grp-dest/members');
  await expect(dora.getByRole('heading', { name: 'Page not found' })).toBeVisible();

  // grp-dest deletes its Admit: the next request finds nothing.
  await admin.goto('/t/grp-dest/iam-policies');
  await hydrated(admin);
  await admin.getByRole('button', { name: 'Delete IAM policy admit-home' }).click();
  await admin.getByRole('dialog', { name: 'Confirm deletion' }).getByRole('button', { name: 'Yes, delete' }).click();
  await expect(admin.getByTestId('empty-state')).toContainText('No IAM policies');
  await dora.goto('/t/grp-dest/workspaces');
  await expect(dora.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('a member with no role, invited from a group, gets only what the group is granted', async ({ browser }) => {
  const admin = await userPage(browser, 'admin');
  await admin.goto('/t/grp-home/groups');
  await hydrated(admin);
  await admin.getByLabel('Name', { exact: true }).fill('net-ops');
  await admin.getByRole('button', { name: 'Create group' }).click();
  await expect(admin).toHaveURL(/\/t\/grp-home\/groups\/net-ops$/);
  await hydrated(admin);
  // Someone who is not a member joins only when invited, as a member with no role.
  const email = admin.getByLabel('Email of a member of this tenant');
  await email.fill('nina@example.test');
  await admin.getByRole('button', { name: 'Add to group' }).click();
  await expect(admin.locator('#group-member-email-error')).toContainText('not a member of this tenant');
  await admin.getByLabel('Invite them to this tenant if they are not a member yet').check();
  await admin.getByRole('button', { name: 'Add to group' }).click();
  await expect(admin.getByTestId('group-member-row').filter({ hasText: 'nina@example.test' })).toBeVisible();
  await newPolicy(admin, 'grp-home', 'net-ops', 'Allow group net-ops to manage network-family in tenancy\n');
  await admin.goto('/t/grp-home/members');
  await hydrated(admin);
  await expect(admin.getByLabel('Role of nina@example.test')).toHaveValue('member');
  await expect(admin.getByLabel('Role of nina@example.test').locator('option:checked')).toHaveText('Member (groups only)');

  // Nina manages the network family of grp-home, and sees nothing else there.
  const nina = await userPage(browser, 'nina');
  await expect(nina).toHaveURL(/\/t\/grp-home/);
  await hydrated(nina);
  const nav = nina.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Workspaces' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Members' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Clouds' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Groups' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Workspaces' }).click();
  await hydrated(nina);
  await expect(nina.getByRole('button', { name: 'Create workspace' })).toBeVisible();
  const res = await nina.goto('/t/grp-home/members');
  expect(res?.status()).toBe(403);
  await expect(nina.getByText('You need MEMBER_READ on members in grp-home.')).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a refused group name comes back inline with the value kept', async ({ page }) => {
    await loginViaIdp(page, 'admin');
    await page.goto('/t/grp-home/groups');
    await page.getByLabel('Name', { exact: true }).fill('Bad Name');
    await page.getByLabel('Description', { exact: true }).fill('kept');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page.locator('#group-name-error')).toContainText('lowercase');
    await expect(page.getByLabel('Description', { exact: true })).toHaveValue('kept');
    await page.getByLabel('Name', { exact: true }).fill('no-js-group');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page).toHaveURL(/\/t\/grp-home\/groups\/no-js-group$/);
    await expect(page.getByTestId('empty-state')).toContainText('No members');
  });
});
