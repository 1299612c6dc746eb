import { test, expect, Browser, Page } from '@playwright/test';
import { loginViaIdp, hydrated } from './helpers';

// Seed 002 in the browser: a tenant admin creates an AWS cloud through the wizard and
// finds its VRF contexts and Default-Group; another tenant's admin does not see it; a
// global admin switched into the first tenant creates a Linux Server Cloud there; and
// the REST API refuses a vCenter cloud with its error code.
test.describe.configure({ mode: 'serial' });

const idp = process.env.IDP_URL ?? 'http://127.0.0.1:4100';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----';

async function userPage(browser: Browser, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginViaIdp(page, name);
  return page;
}

test('tenant-scoped clouds: wizard, isolation, a global admin in a tenant, and the refused type', async ({ browser, request }) => {
  const admin = await userPage(browser, 'admin');
  for (const [tenant, person] of [['sky-a', 'ava'], ['sky-b', 'ben']]) {
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

  // Ava opens Infrastructure > Clouds: nothing yet.
  const ava = await userPage(browser, 'ava');
  await ava.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clouds' }).click();
  await expect(ava).toHaveURL(/\/t\/sky-a\/clouds$/);
  await hydrated(ava);
  await expect(ava.getByTestId('empty-state')).toContainText('No clouds');
  await ava.getByRole('link', { name: 'Create cloud' }).click();

  // Step 1: four types to choose from, the others shown as unavailable with the reason.
  await expect(ava.getByTestId('cloud-type')).toHaveCount(4);
  const vcenter = ava.getByTestId('cloud-type-unavailable').filter({ hasText: 'VMware vCenter' });
  await expect(vcenter).toContainText('not in a tenant');
  await expect(vcenter).toContainText('limited to AWS, Azure, Linux Server and No-Orchestrator');
  await expect(vcenter.getByRole('link')).toHaveCount(0);
  await ava.getByRole('link', { name: /Amazon Web Services/ }).click();

  // Step 2: AWS settings; a malformed VPC ID is refused inline, nothing is kept.
  await hydrated(ava);
  await ava.getByLabel('Cloud name').fill('aws-prod');
  await ava.getByLabel('Region').selectOption('eu-west-1');
  await ava.getByLabel('Access key ID').fill('AKIAIOSFODNN7EXAMPLE');
  await ava.getByLabel('Secret access key').fill(SECRET);
  await ava.getByLabel('VPC ID').fill('vpc-XYZ');
  await ava.getByLabel('Availability zones (optional)').fill('eu-west-1a, eu-west-1b');
  await ava.getByRole('button', { name: 'Next: review' }).click();
  await expect(ava.getByLabel('VPC ID')).toHaveAttribute('aria-invalid', 'true');
  await expect(ava.locator('#aws-vpc-error')).toContainText('vpc- followed by 8 or 17');
  await ava.getByLabel('VPC ID').fill('vpc-0a1b2c3d');
  await ava.getByRole('button', { name: 'Next: review' }).click();

  // Step 3: the review shows the settings, the secret only as "set".
  await expect(ava).toHaveURL(/step=review&draft=/);
  const review = ava.getByTestId('cloud-review');
  await expect(review).toContainText('aws-prod');
  await expect(review).toContainText('vpc-0a1b2c3d');
  await expect(ava.getByTestId('secret-secret_access_key')).toHaveText('set');
  expect(await ava.content()).not.toContain(SECRET);
  // Back keeps what was entered, without sending the secret back.
  await ava.getByRole('link', { name: 'Back' }).click();
  await expect(ava.getByLabel('VPC ID')).toHaveValue('vpc-0a1b2c3d');
  await expect(ava.getByLabel('Secret access key')).toHaveValue('');
  await expect(ava.locator('#aws-secret-hint')).toContainText('Leave empty to keep it');
  await hydrated(ava);
  await ava.getByRole('button', { name: 'Next: review' }).click();
  await expect(ava).toHaveURL(/step=review/);
  await ava.getByRole('button', { name: 'Create cloud' }).click();

  // The cloud's page: its two VRF contexts and Default-Group, made in the same step.
  await expect(ava).toHaveURL(/\/t\/sky-a\/clouds\/[0-9a-f-]{36}\?created=1$/);
  await expect(ava.getByRole('heading', { name: 'aws-prod' })).toBeVisible();
  await expect(ava.getByTestId('vrf-row')).toHaveCount(2);
  await expect(ava.getByRole('table', { name: 'VRF contexts' })).toContainText('global');
  await expect(ava.getByRole('table', { name: 'VRF contexts' })).toContainText('management');
  await expect(ava.getByTestId('se-group-row')).toHaveText([/Default-Group/]);
  await expect(ava.getByTestId('secret-secret_access_key')).toHaveText('set');
  expect(await ava.content()).not.toContain(SECRET);
  const cloudUrl = new URL(ava.url()).pathname;

  // Ben, tenant admin of sky-b, sees no cloud, and not this one even by its URL.
  const ben = await userPage(browser, 'ben');
  await ben.goto('/t/sky-b/clouds');
  await expect(ben.getByTestId('empty-state')).toContainText('No clouds');
  const other = await ben.goto(cloudUrl.replace('/t/sky-a/', '/t/sky-b/'));
  expect(other!.status()).toBe(404);
  expect((await ben.goto(cloudUrl))!.status()).toBe(404);

  // The global admin switches into sky-a and creates a Linux Server Cloud for its users.
  await admin.goto('/t/sky-a/clouds');
  await hydrated(admin);
  await expect(admin.getByTestId('cloud-row')).toHaveCount(1);
  await admin.getByRole('link', { name: 'Create cloud' }).click();
  await admin.getByRole('link', { name: /Linux Server Cloud/ }).click();
  await hydrated(admin);
  await admin.getByLabel('Cloud name').fill('lsc-for-sky-a');
  await admin.getByLabel('Hosts').fill('10.0.0.11 ubuntu\n10.0.0.12\n10.0.0.11');
  await admin.getByLabel('SSH private key').fill(SSH_KEY);
  await admin.getByRole('button', { name: 'Next: review' }).click();
  await expect(admin.locator('#lsc-hosts-error')).toContainText('Host 3: 10.0.0.11 is listed twice');
  await admin.getByLabel('Hosts').fill('10.0.0.11 ubuntu\n10.0.0.12');
  await admin.getByLabel('SSH private key').fill(SSH_KEY);
  await admin.getByRole('button', { name: 'Next: review' }).click();
  await expect(admin.getByTestId('cloud-review')).toContainText('10.0.0.12 (root)');
  await admin.getByRole('button', { name: 'Create cloud' }).click();
  await expect(admin.getByRole('heading', { name: 'lsc-for-sky-a' })).toBeVisible();
  // Service Engines by hand, on the cloud's hosts.
  await hydrated(admin);
  const addSe = admin.getByRole('form', { name: 'Add Service Engine' });
  await addSe.getByLabel('Name', { exact: true }).fill('se-9');
  await addSe.getByLabel('Management IP').fill('10.0.0.99');
  await addSe.getByRole('button', { name: 'Add Service Engine' }).click();
  await expect(addSe.getByLabel('Management IP')).toHaveAttribute('aria-invalid', 'true');
  await expect(admin.locator('#se-new-ip-error')).toContainText("not one of lsc-for-sky-a's hosts");
  await addSe.getByLabel('Name', { exact: true }).fill('se-1');
  await addSe.getByLabel('Management IP').fill('10.0.0.12');
  await addSe.getByRole('button', { name: 'Add Service Engine' }).click();
  await expect(admin.getByTestId('se-row')).toHaveText([/se-1/]);
  // Ava sees it, and the audit log names the global admin as the one who made it.
  await ava.goto('/t/sky-a/clouds');
  await expect(ava.getByTestId('cloud-row')).toHaveCount(2);
  await ava.goto('/t/sky-a/audit?action=cloud.create');
  await expect(ava.getByRole('row').filter({ hasText: 'lsc-for-sky-a' })).toContainText('admin@localhost');

  // Through REST, vCenter is refused with its error code.
  const tokenRes = await request.post(`${idp}/token`, {
    headers: { authorization: 'Basic ' + Buffer.from('automation-admin:automation-admin-secret').toString('base64') },
    form: { grant_type: 'client_credentials', scope: 'api' },
  });
  const token = (await tokenRes.json()).access_token;
  await ava.goto('/t/sky-a');
  const skyA = (await ava.getByTestId('tenant-id').textContent())!.trim();
  const refused = await request.post('/api/v1/clouds', {
    headers: { authorization: `Bearer ${token}`, ActiveProjectID: skyA },
    data: { name: 'vc', type: 'vcenter', config: {} },
  });
  expect(refused.status()).toBe(422);
  expect((await refused.json()).error.code).toBe('cloud_type_not_allowed_in_tenant');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the wizard works step by step, with inline errors, and a cloud is deleted after a confirmation', async ({ page }) => {
    await loginViaIdp(page, 'admin');
    await page.goto('/t/sky-b/clouds');
    await page.getByRole('link', { name: 'Create cloud' }).click();
    await page.getByRole('link', { name: /Microsoft Azure/ }).click();
    await page.getByLabel('Cloud name').fill('azure-b');
    await page.getByLabel('Subscription ID').fill('not-a-uuid');
    await page.getByLabel('Resource group').fill('rg-net');
    await page.getByLabel('Virtual network').fill('vnet-1');
    await page.getByLabel('Client ID').fill('0b0b0b0b-1111-4222-8333-444455556666');
    await page.getByLabel('Azure AD tenant ID').fill('0c0c0c0c-1111-4222-8333-444455556666');
    await page.getByLabel('Client secret').fill('very-secret-value');
    await page.getByRole('button', { name: 'Next: review' }).click();
    // The same inline error as with JavaScript, the typed values kept, the secret not.
    await expect(page.locator('#az-sub-error')).toContainText('is a UUID');
    await expect(page.getByLabel('Resource group')).toHaveValue('rg-net');
    await expect(page.getByLabel('Client secret')).toHaveValue('');
    expect(await page.content()).not.toContain('very-secret-value');
    await page.getByLabel('Subscription ID').fill('6f1c1c3e-8e1a-4a77-9d3c-3c3f6b2a8e10');
    await page.getByLabel('Client secret').fill('very-secret-value');
    await page.getByRole('button', { name: 'Next: review' }).click();
    await expect(page).toHaveURL(/step=review/);
    await expect(page.getByTestId('secret-client_secret')).toHaveText('set');
    await page.getByRole('button', { name: 'Create cloud' }).click();
    await expect(page.getByRole('heading', { name: 'azure-b' })).toBeVisible();
    await expect(page.getByTestId('vrf-row')).toHaveCount(2);

    // Deleting asks first, naming what goes with the cloud.
    await page.getByRole('button', { name: 'Delete cloud azure-b' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm deletion' });
    await expect(dialog).toContainText('2 VRF contexts (global, management), 1 SE group (Default-Group)');
    await dialog.getByRole('button', { name: 'Yes, delete the cloud' }).click();
    await expect(page).toHaveURL(/\/t\/sky-b\/clouds\?deleted=azure-b$/);
    await expect(page.getByTestId('form-success')).toContainText('Cloud azure-b deleted');
    await expect(page.getByTestId('empty-state')).toContainText('No clouds');
  });
});
