import { test, expect, Page } from '@playwright/test';
import { loginViaIdp, hydrated } from './helpers';

// Seed 001 in the browser: the editor lints as you type (the parser compiled to wasm),
// a save shows the diff first and makes a version, an old version is restored, and the
// simulator decides the OKE-Admins example across two tenants.
test.describe.configure({ mode: 'serial' });

async function tenantId(page: Page, tenant: string): Promise<string> {
  await page.goto(`/t/${tenant}`);
  return (await page.getByTestId('tenant-id').textContent())!.trim();
}

/** Types a document into the editor, reviews it, and saves it with a comment. */
async function reviewAndSave(page: Page, text: string, comment: string, button: RegExp) {
  await page.getByLabel('Statements', { exact: true }).fill(text);
  await expect(page.getByTestId('lint-ok')).toBeVisible();
  await page.getByRole('button', { name: 'Review changes' }).click();
  await expect(page.getByTestId('review-diff')).toBeVisible();
  await page.getByLabel('Comment', { exact: true }).fill(comment);
  await page.getByRole('button', { name: button }).click();
}

test('write, lint, review, version, restore and simulate IAM policies across two tenants', async ({ page }) => {
  await loginViaIdp(page, 'admin');
  await page.goto('/admin/tenants');
  await hydrated(page);
  for (const tenant of ['src-co', 'dst-co']) {
    await page.getByLabel('Name', { exact: true }).fill(tenant);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await expect(page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name: tenant, exact: true })).toBeVisible();
  }
  const srcId = await tenantId(page, 'src-co');
  const dstId = await tenantId(page, 'dst-co');

  // A new policy: a typo in the resource family is marked at its line and column, before
  // anything reaches the server.
  await page.goto('/t/src-co');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'IAM Policies' }).click();
  await expect(page).toHaveURL(/\/t\/src-co\/iam-policies$/);
  await hydrated(page);
  await expect(page.getByTestId('empty-state')).toContainText('No IAM policies');
  await page.getByRole('link', { name: 'New IAM policy' }).click();
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('cross-access');
  const editor = page.getByLabel('Statements', { exact: true });
  await editor.fill(`Define tenancy DestinationTenancy as ${dstId}\nEndorse group OKE-Admins to manage clustr-family in tenancy DestinationTenancy`);
  const issues = page.getByTestId('lint-issues');
  await expect(issues).toContainText('Line 2, column 36');
  await expect(issues).toContainText('did you mean `cluster-family`');
  await expect(page.getByTestId('gutter-bad')).toHaveText('2');
  await expect(page.getByTestId('issue-mark')).toHaveText('clustr-family');
  // The error list selects the line in the editor.
  await issues.getByRole('button', { name: 'Line 2, column 36' }).click();
  await expect(editor).toBeFocused();

  // Fixed, reviewed (the diff of a new policy is all additions), saved as version 1.
  const v1 = `Define tenancy DestinationTenancy as ${dstId}\nEndorse group OKE-Admins to manage cluster-family in tenancy DestinationTenancy\n`;
  await reviewAndSave(page, v1, 'source side of seed 001', /Create policy/);
  await expect(page).toHaveURL(/\/t\/src-co\/iam-policies\/cross-access\?saved=1$/);
  await expect(page.getByTestId('saved')).toHaveText('Saved as version 1.');
  // The Define names a tenant this console knows.
  await expect(page.getByTestId('defines')).toContainText('DestinationTenancy is tenant dst-co');

  // Version 2: the review shows exactly the added line.
  await hydrated(page);
  const v2 = `${v1}Endorse group OKE-Admins to inspect compartments in any-tenancy\n`;
  await page.getByLabel('Statements', { exact: true }).fill(v2);
  await page.getByRole('button', { name: 'Review changes' }).click();
  const diff = page.getByTestId('review-diff');
  await expect(diff.locator('.diff-add')).toHaveText(['+ Endorse group OKE-Admins to inspect compartments in any-tenancy']);
  await expect(diff.locator('.diff-del')).toHaveCount(0);
  await page.getByLabel('Comment', { exact: true }).fill('compartments too');
  await page.getByRole('button', { name: 'Save as version 2' }).click();
  await expect(page).toHaveURL(/saved=2$/);
  const versions = page.getByTestId('version-row');
  await expect(versions).toHaveCount(2);
  await expect(versions.first()).toContainText('compartments too');

  // Restore version 1: it becomes version 3.
  await page.getByRole('link', { name: 'View v1' }).click();
  await expect(page.getByTestId('version-text')).toHaveText(v1.trimEnd());
  await expect(page.getByTestId('version-diff').locator('.diff-add')).toHaveText(['+ Endorse group OKE-Admins to inspect compartments in any-tenancy']);
  await hydrated(page);
  await page.getByRole('button', { name: 'Restore version 1' }).click();
  await page.getByRole('button', { name: 'Yes, restore' }).click();
  await expect(page).toHaveURL(/\/t\/src-co\/iam-policies\/cross-access\?saved=3$/);
  await expect(page.getByLabel('Statements', { exact: true })).toHaveValue(v1);
  await expect(page.getByTestId('version-row').first()).toContainText('Restored version 1');

  // The simulator, with only the Endorse: denied, and it says the Admit is missing.
  const simulate = async () => {
    await page.goto('/t/src-co/iam-simulator');
    await hydrated(page);
    await page.getByLabel("Principal's tenant", { exact: true }).fill('src-co');
    await page.getByLabel('Groups', { exact: true }).fill('OKE-Admins');
    await page.getByLabel('Verb', { exact: true }).selectOption('manage');
    await page.getByLabel('Resource type', { exact: true }).fill('clusters');
    await page.getByLabel('Target tenant', { exact: true }).fill('dst-co');
    await page.getByRole('button', { name: 'Simulate' }).click();
    return page.getByTestId('sim-result');
  };
  let result = await simulate();
  await expect(result).toHaveAttribute('data-reason', 'no_admit');
  await expect(page.getByTestId('sim-explanation')).toContainText('no matching Admit in dst-co');
  await expect(page.getByTestId('sim-statement')).toHaveCount(1);
  await expect(page.getByTestId('sim-statement')).toContainText('cross-access, line 2');

  // The destination admits the group; now both halves decide.
  await page.goto('/t/dst-co/iam-policies/new');
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('admit-oke');
  const admit = `Define tenancy SourceTenancy as ${srcId}\nDefine group OKE-Admins as ocid1.group.oc1..oke\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in tenancy\n`;
  await reviewAndSave(page, admit, 'destination side', /Create policy/);
  await expect(page).toHaveURL(/\/t\/dst-co\/iam-policies\/admit-oke\?saved=1$/);

  result = await simulate();
  await expect(result).toHaveAttribute('data-reason', 'allowed');
  await expect(result).toContainText('Allowed');
  const statements = page.getByTestId('sim-statement');
  await expect(statements).toHaveCount(2);
  await expect(statements.filter({ hasText: 'endorse' })).toContainText('cross-access, line 2');
  await expect(statements.filter({ hasText: 'admit' })).toContainText('admit-oke, line 3');
  // Each names its line in the editor.
  await expect(statements.filter({ hasText: 'admit' }).getByRole('link')).toHaveAttribute('href', '/t/dst-co/iam-policies/admit-oke?line=3');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a refused document comes back with its errors and text; a reviewed one is saved as a version', async ({ page }) => {
    await loginViaIdp(page, 'admin');
    await page.goto('/t/src-co/iam-policies/new');
    await page.getByLabel('Name', { exact: true }).fill('nojs-policy');
    const broken = 'Allow group Ops to fly clusters';
    await page.getByLabel('Statements', { exact: true }).fill(broken);
    await page.getByRole('button', { name: 'Review changes' }).click();
    // Back on the same page: the server's errors with line and column, the text kept.
    await expect(page).toHaveURL(/\/t\/src-co\/iam-policies\/new$/);
    await expect(page.getByTestId('server-issues')).toContainText('Line 1, column 20');
    await expect(page.getByTestId('issue-mark')).toHaveText('fly');
    await expect(page.getByLabel('Statements', { exact: true })).toHaveValue(broken);
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('nojs-policy');
    // Fixed: the review shows the diff and the save form; saving makes version 1.
    await page.getByLabel('Statements', { exact: true }).fill('Allow group Ops to read clusters in tenancy\n');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await expect(page.getByTestId('review-diff')).toContainText('+ Allow group Ops to read clusters in tenancy');
    await page.getByLabel('Comment', { exact: true }).fill('without a script');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await expect(page).toHaveURL(/\/t\/src-co\/iam-policies\/nojs-policy\?saved=1$/);
    await expect(page.getByTestId('version-row').first()).toContainText('without a script');
  });
});
