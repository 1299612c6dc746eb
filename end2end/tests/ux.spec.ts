import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { loginViaIdp, hydrated, openSwitcher } from './helpers';

// The console as a demanding user meets it: every form works without JavaScript (with
// its inline errors, kept values and answers), every mutation answers, every page is
// accessible and fits a phone, and the switcher works by keyboard alone.
test.describe.configure({ mode: 'serial' });

const A = 'ux-prov';
const B = 'ux-cons';

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('each main form shows its inline error and keeps the values when refused, and its answer when accepted', async ({ page }) => {
    await loginViaIdp(page, 'admin');
    const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

    // Tenant: refused, then accepted (twice: a provider and a consumer).
    await page.goto('/admin/tenants');
    await page.getByLabel('Name', { exact: true }).fill('Bad Name');
    await page.getByLabel('Labels', { exact: true }).fill('env=dev');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await expect(page).toHaveURL(/\/admin\/tenants$/);
    await expect(page.locator('#tenant-name-error')).toContainText('lowercase');
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Bad Name');
    await expect(page.getByLabel('Labels', { exact: true })).toHaveValue('env=dev');
    for (const name of [A, B]) {
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await expect(page).toHaveURL(/\/admin\/tenants$/);
      await expect(page.getByTestId('form-success')).toHaveText(`Tenant ${name} created. Open`);
      await expect(page.locator('#tenant-name-error')).toHaveCount(0);
    }

    // Member: accepted, then refused (already a member), the address kept.
    await page.goto(`/t/${A}/members`);
    for (const expectation of ['added', 'refused']) {
      await page.getByLabel('Email', { exact: true }).fill('nina@example.test');
      await page.getByLabel('Role', { exact: true }).selectOption('tenant-admin');
      await page.getByRole('button', { name: 'Add member' }).click();
      await expect(page).toHaveURL(new RegExp(`/t/${A}/members$`));
      if (expectation === 'added') {
        await expect(page.getByTestId('form-success')).toHaveText('nina@example.test added.');
      } else {
        await expect(page.getByRole('alert').filter({ hasText: 'already a member' })).toBeVisible();
        await expect(page.getByLabel('Email', { exact: true })).toHaveValue('nina@example.test');
        await expect(page.getByLabel('Role', { exact: true })).toHaveValue('tenant-admin');
      }
    }

    // Service of the provider: refused name, then accepted.
    await page.goto(`/t/${A}/services`);
    await page.getByLabel('Name', { exact: true }).fill('Inv_API');
    await page.getByLabel('Port', { exact: true }).fill('8080');
    await page.getByRole('button', { name: 'Create service' }).click();
    await expect(page.locator('#svc-name-error')).toBeVisible();
    await expect(page.getByLabel('Port', { exact: true })).toHaveValue('8080');
    await page.getByLabel('Name', { exact: true }).fill('inv-api');
    await page.getByRole('button', { name: 'Create service' }).click();
    await expect(page.getByTestId('form-success')).toHaveText('Service inv-api created.');

    // Secret: a note that is too long is refused; then one is issued and shown once.
    await nav('Cross-Tenant Connections').click();
    await page.getByLabel('Expires after').selectOption('3600');
    await page.getByLabel('Note', { exact: true }).fill('x'.repeat(201));
    await page.getByRole('button', { name: 'Create connection secret' }).click();
    await expect(page.locator('#secret-note-error')).toContainText('at most 200');
    await expect(page.getByLabel('Expires after')).toHaveValue('3600');
    await page.getByLabel('Note', { exact: true }).fill(`for ${B}`);
    await page.getByRole('button', { name: 'Create connection secret' }).click();
    const secret = await page.getByTestId('secret-value').inputValue();
    expect(secret).toMatch(/^ncs_[0-9a-f]{64}$/);
    const providerId = (await page.goto(`/t/${A}`), (await page.getByTestId('tenant-id').textContent())!.trim());

    // Redeem in the consumer: a wrong secret is refused, the right one connects.
    await page.goto(`/t/${B}/connections`);
    await page.getByLabel('Connection secret', { exact: true }).fill('ncs_not-a-secret');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByTestId('connect-error')).not.toBeEmpty();
    await page.getByLabel('Connection secret', { exact: true }).fill(secret);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `Connected to ${A}` })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/t/${B}/connections$`));

    // Workspace: a key=value label is explained, then a plain one is taken.
    await nav('Workspaces').click();
    await page.getByLabel('Name', { exact: true }).fill('ide-x');
    await page.getByLabel('Labels', { exact: true }).fill('team=ide');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect(page.locator('#ws-labels-error')).toContainText('plain words');
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('ide-x');
    await page.getByLabel('Labels', { exact: true }).fill('project-x');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect(page.getByTestId('form-success')).toHaveText('Workspace ide-x created.');

    // Policy: a document with a problem comes back as typed, with its line; a good one saves.
    await page.goto(`/t/${B}/network-policies/new`);
    const bad = 'kind: NCSPolicy\nmetadata:\n  name: allow-inv\nspec:\n  sourc:\n    workspaceLabel: project-x\n';
    await page.getByLabel('Policy (YAML)', { exact: true }).fill(bad);
    await page.getByRole('button', { name: 'Create policy' }).click();
    await expect(page.getByTestId('save-error')).toContainText('Line 5');
    await expect(page.getByLabel('Policy (YAML)', { exact: true })).toHaveValue(bad);
    await page.getByLabel('Policy (YAML)', { exact: true }).fill([
      'kind: NCSPolicy',
      'metadata:',
      '  name: allow-inv',
      'spec:',
      '  source:',
      '    workspaceLabel: project-x',
      '  destination:',
      `    tenantID: "${providerId}"`,
      '    serviceName: "inv-api"',
      '  action: allow',
      '',
    ].join('\n'));
    await page.getByRole('button', { name: 'Create policy' }).click();
    await expect(page).toHaveURL(new RegExp(`/t/${B}/network-policies\\?saved=allow-inv`));
    await expect(page.getByTestId('policy-row').filter({ hasText: 'allow-inv' })).toBeVisible();

    // Check: a bad label is refused inline; a good question gets its answer, the question kept.
    await page.getByLabel('Workspace label', { exact: true }).fill('Not A Label');
    await page.getByLabel('Service', { exact: true }).fill('inv-api');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.locator('#check-label-error')).toContainText('lowercase');
    await expect(page.getByLabel('Workspace label', { exact: true })).toHaveValue('Not A Label');
    await page.getByLabel('Workspace label', { exact: true }).fill('project-x');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.getByTestId('check-result')).toHaveText(/^Allowed.*allow-inv/);
    await expect(page.getByLabel('Workspace label', { exact: true })).toHaveValue('project-x');
    await expect(page.getByLabel('Service', { exact: true })).toHaveValue('inv-api');
    expect(page.url()).not.toMatch(/__err|__path|\?$/);

    // An edit in a row without JavaScript: refused, it comes back open with its error.
    await page.goto(`/t/${B}/workspaces`);
    const wsRow = page.getByTestId('workspace-row').filter({ hasText: 'ide-x' });
    await wsRow.getByText('Edit', { exact: true }).click();
    await wsRow.getByLabel('Labels of ide-x', { exact: true }).fill('env=dev');
    await wsRow.getByRole('button', { name: 'Save' }).click();
    await expect(wsRow.getByRole('alert')).toContainText('plain words');
    await expect(wsRow.getByLabel('Labels of ide-x', { exact: true })).toHaveValue('env=dev');
    await wsRow.getByLabel('Labels of ide-x', { exact: true }).fill('project-x, team-ide');
    await wsRow.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('form-success')).toHaveText('Workspace ide-x saved.');
    await expect(wsRow).toContainText('team-ide');

    // A destructive action without JavaScript: a confirmation page, Cancel, then confirm.
    await page.goto(`/t/${B}/workspaces`);
    await page.getByRole('button', { name: 'Delete workspace ide-x' }).click();
    await expect(page).toHaveURL(/confirm=delete-workspace-ide-x/);
    const dialog = page.getByRole('dialog', { name: 'Confirm deletion' });
    await expect(dialog).toContainText('Delete workspace ide-x?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await page.getByRole('button', { name: 'Delete workspace ide-x' }).click();
    await page.getByRole('dialog', { name: 'Confirm deletion' }).getByRole('button', { name: 'Yes, delete' }).click();
    await expect(page).toHaveURL(new RegExp(`/t/${B}/workspaces$`));
    await expect(page.getByTestId('form-success')).toHaveText('Workspace deleted.');
    await expect(page.getByTestId('workspace-row')).toHaveCount(0);
  });
});

test('every mutation answers with a message, and a refused one replaces it', async ({ page }) => {
  await loginViaIdp(page, 'admin');
  await page.goto(`/t/${A}/members`);
  await hydrated(page);
  await page.getByLabel('Email', { exact: true }).fill('omar@example.test');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByTestId('form-success')).toHaveText('omar@example.test added.');
  // The same address again: the success goes, the refusal shows.
  await page.getByLabel('Email', { exact: true }).fill('omar@example.test');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already a member' })).toBeVisible();
  await expect(page.getByTestId('form-success')).toHaveCount(0);

  const row = page.getByTestId('member-row').filter({ hasText: 'omar@example.test' });
  await row.getByRole('combobox', { name: 'Role of omar@example.test' }).selectOption('tenant-admin');
  await row.getByRole('button', { name: 'Save role' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Role saved.' })).toBeVisible();

  // The confirmation dialog: Escape closes it and gives focus back; Cancel too.
  const trigger = page.getByRole('button', { name: 'Remove omar@example.test' });
  await trigger.click();
  const dialog = page.getByRole('dialog', { name: 'Confirm removal' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('They lose access immediately');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(trigger).toBeFocused();
  await trigger.click();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await trigger.click();
  await dialog.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Member removed.' })).toBeVisible();
  await expect(row).toHaveCount(0);

  // Secrets: issue, copy (the button says so), revoke behind the same dialog.
  await page.goto(`/t/${A}/connections`);
  await hydrated(page);
  await page.getByLabel('Note', { exact: true }).fill('to revoke');
  await page.getByRole('button', { name: 'Create connection secret' }).click();
  await expect(page.getByTestId('new-secret')).toBeVisible();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy the secret' }).click();
  await expect(page.getByRole('button', { name: 'Copy the secret' })).toHaveText('Copied');
  const secretRow = page.getByTestId('secret-row').filter({ hasText: 'to revoke' });
  await secretRow.getByRole('button', { name: /^Revoke secret/ }).click();
  await page.getByRole('dialog', { name: 'Revoke this secret?' }).getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Secret revoked.' })).toBeVisible();
  await expect(secretRow).toContainText('Revoked');

  // Services: create and delete answer too.
  await page.goto(`/t/${A}/services`);
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('tmp-svc');
  await page.getByLabel('Port', { exact: true }).fill('9000');
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.getByTestId('form-success')).toHaveText('Service tmp-svc created.');
  // Edit in the row: a refused port keeps the form open with its error, then a good one saves.
  const svcRow = page.getByTestId('service-row').filter({ hasText: 'tmp-svc' });
  await svcRow.getByText('Edit', { exact: true }).click();
  await svcRow.getByLabel('Port of tmp-svc', { exact: true }).fill('9001');
  await svcRow.getByLabel('Protocol of tmp-svc', { exact: true }).selectOption('grpc');
  await svcRow.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Service tmp-svc saved.' })).toBeVisible();
  await expect(svcRow).toContainText('GRPC 9001');
  await page.getByRole('button', { name: 'Delete service tmp-svc' }).click();
  await page.getByRole('dialog', { name: 'Confirm deletion' }).getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Service deleted.' })).toBeVisible();
});

test('a page that does not exist keeps the signed-in header and answers 404', async ({ page }) => {
  await loginViaIdp(page, 'admin');
  const response = await page.goto('/no-such-page');
  expect(response!.status()).toBe(404);
  await expect(page.getByTestId('error-page')).toContainText('Page not found');
  await expect(page.getByTestId('user-email')).toHaveText('admin@localhost');
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to your console' }).click();
  await expect(page).toHaveURL(/\/t\//);
});

test('the switcher works by keyboard alone', async ({ page }) => {
  await loginViaIdp(page, 'admin');
  await page.goto(`/t/${A}/members`);
  await hydrated(page);
  // The skip link comes first and leads to the page's content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();

  await page.getByTestId('switcher-button').focus();
  await page.keyboard.press('Enter');
  const search = page.getByRole('combobox', { name: 'Search tenants' });
  await expect(search).toBeFocused();
  await page.keyboard.type(B);
  await expect(page.getByTestId('switcher-item')).toHaveText([B]);
  await page.keyboard.press('ArrowDown');
  await expect(search).toHaveAttribute('aria-activedescendant', 'switcher-opt-0');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/t/${B}/members$`));
  await expect(page.getByTestId('switcher-button')).toHaveText(`admin (${B})`);

  // Escape closes it and puts focus back on the button; a click outside closes it too.
  await page.getByTestId('switcher-button').focus();
  await page.keyboard.press('Enter');
  await expect(search).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(search).toBeHidden();
  await expect(page.getByTestId('switcher-button')).toBeFocused();
  await openSwitcher(page);
  // (Away from the panel, which covers the top left of the page.)
  await page.getByRole('main').click({ position: { x: 700, y: 300 } });
  await expect(search).toBeHidden();
});

/** Every page of the console a tenant admin or global admin reaches. */
async function consolePages(page: Page): Promise<string[]> {
  await page.goto(`/t/${B}/connections`);
  const detail = await page.getByTestId('connection-row').first().getByRole('link').first().getAttribute('href');
  return [
    `/t/${B}`,
    `/t/${B}/members`,
    `/t/${B}/audit`,
    `/t/${B}/alerts`,
    `/t/${B}/metrics`,
    `/t/${B}/usage`,
    `/t/${B}/logs`,
    `/t/${B}/connections`,
    detail!,
    `/t/${B}/workspaces`,
    `/t/${B}/services`,
    `/t/${B}/network-policies`,
    `/t/${B}/network-policies/allow-inv`,
    `/t/${B}/network-policies/new`,
    `/t/${B}/iam-policies`,
    `/t/${B}/iam-policies/new`,
    `/t/${B}/iam-simulator`,
    `/t/${B}/groups`,
    `/t/${B}/clouds`,
    '/admin/tenants',
    '/admin/connection-map',
    '/admin/archive',
    '/t/admin/no-such-page',
    '/no-such-page',
  ];
}

// One test per colour scheme and width: each is a full sweep of every page, and a
// slower machine gets a whole test timeout for each quarter rather than for all four.
for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 390]) {
    test(`every page passes axe and fits a ${width} px screen (${scheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await loginViaIdp(page, 'admin');
      const pages = await consolePages(page);
      await page.setViewportSize({ width, height: 844 });
      // Every finding of every page at once, so one run shows them all.
      const problems: string[] = [];
      for (const path of pages) {
        await page.goto(path);
        await hydrated(page);
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
        for (const v of results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
          problems.push(`${path} at ${width}px: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${path} at ${width}px scrolls sideways by ${overflow}px`);
      }
      expect(problems).toEqual([]);
    });
  }
}

test('at 390 px the navigation hides behind the menu button', async ({ page }) => {
  await loginViaIdp(page, 'admin');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/t/${B}`);
  await hydrated(page);
  const navLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' });
  await expect(navLink).toBeHidden();
  await page.getByTestId('menu-button').click();
  await expect(navLink).toBeVisible();
  await navLink.click();
  await expect(page).toHaveURL(new RegExp(`/t/${B}/members$`));
  await expect(navLink).toBeHidden();
});
