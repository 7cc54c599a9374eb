import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tessera } from '../../src/tessera.js';
import { cliFolder, runCli } from './support.js';
import type { CliFolder, GraphApplicationOutput } from './support.js';

interface TenantOutput {
  tenantId: string;
  id: string;
  defaultDomain: string;
  displayName: string;
}

describe('tessera account tenant', () => {
  let f: CliFolder;
  before(() => {
    f = cliFolder();
  });
  after(() => f.remove());

  it('lists the default tenant of a new data folder', async () => {
    const tenants = await f.json<TenantOutput[]>('account tenant list');
    assert.equal(tenants.length, 1);
    const [tenant] = tenants;
    assert.equal(tenant?.defaultDomain, 'tessera.onmicrosoft.com');
    assert.equal(tenant?.id, `/tenants/${tenant?.tenantId}`);
    assert.equal(tenant?.displayName, 'Tessera');
  });

  it('creates a tenant and acts in it with --tenant', async () => {
    const created = await f.json<TenantOutput>(
      'account tenant create --domain Contoso --display-name',
      'Contoso Ltd',
    );
    assert.deepEqual(Object.keys(created), ['defaultDomain', 'displayName', 'id', 'tenantId']);
    assert.equal(created.defaultDomain, 'contoso.onmicrosoft.com');
    assert.equal(created.displayName, 'Contoso Ltd');
    const listed = await f.json<TenantOutput[]>('account tenant list');
    assert.deepEqual(listed.map((t) => t.defaultDomain).sort(), [
      'contoso.onmicrosoft.com',
      'tessera.onmicrosoft.com',
    ]);

    const app = await f.json<GraphApplicationOutput>(
      'ad app create --display-name contoso-app --tenant contoso.onmicrosoft.com',
    );
    assert.equal(app.publisherDomain, 'contoso.onmicrosoft.com');
    assert.equal((await f.cli(`ad app show --id ${app.appId} --tenant ${created.tenantId}`)).code, 0);
    // Not visible from the default tenant, which stays the bootstrap one.
    assert.equal((await f.cli(`ad app show --id ${app.appId}`)).code, 1);
    const own = await f.json<GraphApplicationOutput>('ad app create --display-name own-app');
    assert.equal(own.publisherDomain, 'tessera.onmicrosoft.com');
  });

  it('refuses a duplicate domain, an invalid one and an unknown tenant', async () => {
    const duplicate = await f.cli('account tenant create --domain contoso.onmicrosoft.com');
    assert.equal(duplicate.code, 1);
    assert.equal(duplicate.stderr, "ERROR: A tenant with domain 'contoso.onmicrosoft.com' already exists.\n");
    const invalid = await f.cli('account tenant create --domain', 'not a domain');
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^ERROR: 'not a domain' is not a valid tenant domain name\./);
    const unknown = await f.cli('ad app list --tenant fabrikam.onmicrosoft.com');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "ERROR: Tenant 'fabrikam.onmicrosoft.com' not found.\n");
  });

  it('requires --domain', async () => {
    const result = await f.cli('account tenant create');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^ERROR: required option '--domain <name>' not specified/);
  });
});

interface AzAccount {
  id: string;
  name: string;
  state: string;
  tenantId: string;
  homeTenantId: string;
  isDefault: boolean;
  managedByTenants: string[];
  user: { name: string; type: string };
  cloudName?: string;
  environmentName?: string;
}

describe('tessera account list, show and set', () => {
  let f: CliFolder;
  let first: AzAccount;
  let contoso: { tenantId: string; subscriptionId: string };
  before(async () => {
    f = cliFolder();
    [first] = (await f.json<AzAccount[]>('account list')) as [AzAccount];
    // The CLI creates no subscriptions (az neither): a second tenant's comes from the library.
    const tessera = await Tessera.open({ dataDir: f.dataDir });
    try {
      const tenant = await tessera.directory.createTenant({ domain: 'contoso', displayName: 'Contoso' });
      const subscription = await tessera.subscriptions.create(tenant.id, 'Contoso Dev');
      await tessera.subscriptions.createResourceGroup({
        subscriptionId: subscription.subscriptionId,
        name: 'contoso-rg',
        location: 'northeurope',
      });
      contoso = { tenantId: tenant.id, subscriptionId: subscription.subscriptionId };
    } finally {
      await tessera.close();
    }
  });
  after(() => f.remove());

  it("lists the subscriptions in az's shape, the first start's one as the default", async () => {
    const accounts = await f.json<AzAccount[]>('account list');
    assert.deepEqual(accounts, [
      {
        cloudName: 'Tessera',
        homeTenantId: first.tenantId,
        id: first.id,
        isDefault: true,
        managedByTenants: [],
        name: 'Tessera Subscription',
        state: 'Enabled',
        tenantId: first.tenantId,
        user: { name: userInfo().username, type: 'user' },
      },
      {
        cloudName: 'Tessera',
        homeTenantId: contoso.tenantId,
        id: contoso.subscriptionId,
        isDefault: false,
        managedByTenants: [],
        name: 'Contoso Dev',
        state: 'Enabled',
        tenantId: contoso.tenantId,
        user: { name: userInfo().username, type: 'user' },
      },
    ]);
    const shown = await f.json<AzAccount>('account show');
    const { cloudName, ...account } = accounts[0] ?? first;
    assert.equal(cloudName, 'Tessera');
    assert.deepEqual(shown, { ...account, environmentName: 'Tessera' });
    assert.equal((await f.json<AzAccount>('account show -s', 'contoso dev')).id, contoso.subscriptionId);
  });

  it('set records the default that commands taking --subscription (and their tenant) use', async () => {
    const set = await f.cli('account set --subscription', 'Contoso Dev');
    assert.deepEqual(set, { code: 0, stdout: '', stderr: '' });
    assert.deepEqual(JSON.parse(readFileSync(join(f.dataDir, 'cli.json'), 'utf8')), {
      defaultSubscription: contoso.subscriptionId,
    });
    const shown = await f.json<AzAccount>('account show');
    assert.equal(shown.id, contoso.subscriptionId);
    assert.equal(shown.isDefault, true);
    assert.deepEqual(
      (await f.json<AzAccount[]>('account list')).map((a) => a.isDefault),
      [false, true],
    );
    // Resource groups, stores (with -l from the group) and directory objects land in Contoso now.
    assert.deepEqual(
      (await f.json<Array<{ name: string }>>('group list')).map((g) => g.name),
      ['contoso-rg'],
    );
    const store = await f.json<{ id: string; location: string }>(
      'appconfig create -n contoso-cfg -g contoso-rg',
    );
    assert.equal(store.location, 'northeurope');
    assert.ok(store.id.startsWith(`/subscriptions/${contoso.subscriptionId}/`));
    const app = await f.json<GraphApplicationOutput>('ad app create --display-name contoso-tool');
    assert.equal(app.publisherDomain, 'contoso.onmicrosoft.com');
    // --subscription and --tenant still choose explicitly.
    assert.deepEqual(
      (await f.json<Array<{ name: string }>>('group list --subscription', first.id)).map((g) => g.name),
      ['tessera-rg'],
    );
    assert.deepEqual(
      (await f.json<Array<{ name: string }>>('group list --tenant tessera.onmicrosoft.com')).map(
        (g) => g.name,
      ),
      ['tessera-rg'],
    );
    const inOtherTenant = await f.cli(
      `group list --tenant tessera.onmicrosoft.com --subscription ${contoso.subscriptionId}`,
    );
    assert.equal(inOtherTenant.code, 1);
    assert.equal(
      inOtherTenant.stderr,
      `ERROR: Subscription '${contoso.subscriptionId}' not found in the tenant 'tessera.onmicrosoft.com'.\n`,
    );
    assert.equal((await f.cli('account set -s', first.id.toUpperCase())).code, 0);
    assert.equal((await f.json<AzAccount>('account show')).id, first.id);
  });

  it('refuses an unknown subscription, and a name two subscriptions share', async () => {
    const unknown = await f.cli('account set --subscription nothing-like-it');
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      "ERROR: The subscription of 'nothing-like-it' doesn't exist in cloud 'Tessera'.\n",
    );
    assert.equal((await f.cli('account show -s nothing-like-it')).code, 1);
    assert.equal(
      (await f.cli('group list --subscription nothing-like-it')).stderr,
      "ERROR: Subscription 'nothing-like-it' not found. 'tessera account list' lists them.\n",
    );
    const tessera = await Tessera.open({ dataDir: f.dataDir });
    try {
      await tessera.subscriptions.create(contoso.tenantId, 'Tessera Subscription');
    } finally {
      await tessera.close();
    }
    const ambiguous = await f.cli('account set -s', 'tessera subscription');
    assert.equal(ambiguous.code, 1);
    assert.equal(
      ambiguous.stderr,
      "ERROR: The subscription of 'tessera subscription' has more than one match; use its id.\n",
    );
    const missing = await f.cli('account set');
    assert.equal(missing.code, 2);
  });

  it('a recorded subscription that no longer exists falls back to the first one', async () => {
    writeFileSync(join(f.dataDir, 'cli.json'), JSON.stringify({ defaultSubscription: randomUUID() }));
    assert.equal((await f.json<AzAccount>('account show')).id, first.id);
    writeFileSync(join(f.dataDir, 'cli.json'), '{');
    const broken = await f.cli('account show');
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /cli\.json is not valid JSON; delete it to start over\./);
    rmSync(join(f.dataDir, 'cli.json'));
  });

  it('login lists the enabled accounts and says why no sign-in is needed', async () => {
    const login = await f.cli('login');
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual(
      (JSON.parse(login.stdout) as AzAccount[]).map((a) => a.name),
      ['Tessera Subscription', 'Contoso Dev', 'Tessera Subscription'],
    );
    assert.match(login.stderr, /^tessera needs no sign-in: it works on the data folder .* directly/);
  });
});

describe('tessera --version', () => {
  it("prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      assert.deepEqual(await runCli([flag]), { code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('-l defaults to the resource group location', () => {
  it('refuses a resource group that does not exist', async () => {
    const f = cliFolder();
    try {
      for (const words of [
        'appconfig create -n nogroupcfg -g missing',
        'media account create -n nogroup -g missing',
      ]) {
        const result = await f.cli(words);
        assert.equal(result.code, 1, words);
        assert.equal(result.stderr.split('\n').at(-2), "ERROR: Resource group 'missing' could not be found.");
      }
    } finally {
      f.remove();
    }
  });
});
