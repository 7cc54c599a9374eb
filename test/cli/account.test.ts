import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliFolder } from './support.js';
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
