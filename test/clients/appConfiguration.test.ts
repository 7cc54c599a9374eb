import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppConfigurationClient } from '@azure/app-configuration';
import { load } from '@azure/app-configuration-provider';
import { ClientSecretCredential } from '@azure/identity';
import { createStore, DATA_OWNER, DATA_READER, listKeys } from '../appconfig/support.js';
import type { StoreFixture } from '../appconfig/support.js';
import { principalWithRole } from '../management/support.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { runPython } from './support/pythonMsal.js';
import { createClientSandbox } from './support/sandbox.js';
import type { ClientSandbox } from './support/sandbox.js';

/** The reader's credential, configured as the README says: authority host and no instance discovery. */
const credentialOf = (t: TestServer, client: SecretClient) =>
  new ClientSecretCredential(t.tenant.id, client.application.appId, client.secret, {
    authorityHost: t.origin,
    disableInstanceDiscovery: true,
  });

describe('App Configuration clients, unmodified, against a store that is an origin of its own', () => {
  let t: TestServer;
  let store: StoreFixture;
  let other: StoreFixture;
  let connectionString: string;
  let reader: SecretClient;
  let sandbox: ClientSandbox;

  before(async () => {
    sandbox = createClientSandbox();
    t = await startTestServer();
    store = await createStore(t, 'provider-store');
    other = await createStore(t, 'other-store');
    const [primary] = await listKeys(store);
    assert.ok(primary);
    connectionString = primary.connectionString;
    reader = await principalWithRole(t, { displayName: 'app', role: DATA_READER, scope: store.id });
    await principalWithRole(t, { displayName: 'other-reader', role: DATA_OWNER, scope: other.id });
    const writer = new AppConfigurationClient(connectionString);
    await writer.setConfigurationSetting({ key: 'App:Greeting', value: 'hello' });
    await writer.setConfigurationSetting({ key: 'App:Sentinel', value: '1' });
    await writer.setConfigurationSetting({
      key: '.appconfig.featureflag/Beta',
      value: JSON.stringify({ id: 'Beta', enabled: true, conditions: { client_filters: [] } }),
      contentType: 'application/vnd.microsoft.appconfig.ff+json;charset=utf-8',
    });
  });
  after(async () => {
    await t.stop();
    sandbox.remove();
  });

  it("prints the store's endpoint as an origin, with no path, on its own port", () => {
    const endpoint = new URL(store.endpoint);
    assert.equal(store.endpoint, endpoint.origin);
    assert.notEqual(endpoint.port, new URL(t.origin).port);
    assert.match(connectionString, new RegExp(`^Endpoint=${store.endpoint};Id=`));
  });

  it('the provider loads with a credential, refreshes on its sentinel, and reads feature flags', async () => {
    const settings = await load(store.endpoint, credentialOf(t, reader), {
      selectors: [{ keyFilter: 'App:*' }],
      trimKeyPrefixes: ['App:'],
      refreshOptions: {
        enabled: true,
        refreshIntervalInMs: 1000,
        watchedSettings: [{ key: 'App:Sentinel' }],
      },
      featureFlagOptions: { enabled: true, selectors: [{ keyFilter: '*' }] },
    });
    assert.equal(settings.get('Greeting'), 'hello');
    const flags = settings.get<{ feature_flags: Array<{ id: string; enabled: boolean }> }>(
      'feature_management',
    );
    assert.deepEqual(
      flags?.feature_flags.map((f) => [f.id, f.enabled]),
      [['Beta', true]],
    );

    const writer = new AppConfigurationClient(connectionString);
    await writer.setConfigurationSetting({ key: 'App:Greeting', value: 'bonjour' });
    await writer.setConfigurationSetting({ key: 'App:Sentinel', value: '2' });
    // The provider refreshes at most once per interval: try until it has, within a bound.
    for (let attempt = 0; attempt < 20 && settings.get('Greeting') !== 'bonjour'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await settings.refresh();
    }
    assert.equal(settings.get('Greeting'), 'bonjour');
  });

  it('the provider loads from a connection string (HMAC signed over the path as sent)', async () => {
    const settings = await load(connectionString, { selectors: [{ keyFilter: 'App:*' }] });
    assert.equal(settings.get('App:Sentinel'), '2');
  });

  it("a token for the store's own origin works there, and only there", async () => {
    const credential = credentialOf(t, reader);
    const own = new AppConfigurationClient(store.endpoint, credential, { audience: store.endpoint });
    assert.equal((await own.getConfigurationSetting({ key: 'App:Sentinel' })).value, '2');

    const token = await credential.getToken(`${store.endpoint}/.default`);
    const payload = JSON.parse(Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString()) as {
      aud: string;
    };
    assert.equal(payload.aud, store.endpoint);
    const at = (url: string) => fetch(url, { headers: { authorization: `Bearer ${token.token}` } });
    const query = '?api-version=2023-11-01';
    const read = await at(`${store.endpoint}/kv/App:Sentinel${query}`);
    assert.equal(read.status, 200, await read.text());
    // Another store's origin, and the same store path-style on Tessera's origin: not this audience.
    for (const url of [
      `${other.endpoint}/kv/App:Sentinel${query}`,
      `${t.origin}/appconfig/provider-store/kv/App:Sentinel${query}`,
    ]) {
      const refused = await at(url);
      assert.equal(refused.status, 401, url);
      assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
    }
  });

  it('the default audience and a path outside the data plane', async () => {
    const client = new AppConfigurationClient(store.endpoint, credentialOf(t, reader));
    const listed = [];
    for await (const setting of client.listConfigurationSettings({ keyFilter: 'App:*' }))
      listed.push(setting.key);
    assert.deepEqual(listed.sort(), ['App:Greeting', 'App:Sentinel']);
    // The store's origin serves the store alone: ARM paths are the store's own 401 and 404.
    const stray = `${store.endpoint}/subscriptions?api-version=2022-12-01`;
    assert.equal((await fetch(stray)).status, 401);
    const token = await credentialOf(t, reader).getToken('https://appconfig.azure.com/.default');
    const found = await fetch(stray, { headers: { authorization: `Bearer ${token.token}` } });
    assert.equal(found.status, 404);
    assert.match(found.headers.get('content-type') ?? '', /problem\+json|^$/);
  });

  it("Python's azure-appconfiguration (Debian) with a connection string and with a credential", async () => {
    const result = await runPython(
      sandbox,
      [
        'import json, sys',
        'from azure.appconfiguration import AzureAppConfigurationClient as AppConfigurationClient',
        'from azure.identity import ClientSecretCredential',
        'a = json.loads(sys.argv[1])',
        'hmac = AppConfigurationClient.from_connection_string(a["connectionString"])',
        'print(json.dumps(hmac.get_configuration_setting(key="App:Sentinel").value))',
        'credential = ClientSecretCredential(a["tenant"], a["clientId"], a["secret"],',
        '    authority=a["authority"], instance_discovery=False)',
        'client = AppConfigurationClient(a["endpoint"], credential)',
        'print(json.dumps(sorted(s.key for s in client.list_configuration_settings(key_filter="App:*"))))',
      ].join('\n'),
      {
        connectionString,
        tenant: t.tenant.id,
        clientId: reader.application.appId,
        secret: reader.secret,
        authority: t.origin,
        endpoint: store.endpoint,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.lines, ['2', ['App:Greeting', 'App:Sentinel']]);
  });

  it("a Data Reader of one store is refused by another store's origin", async () => {
    const client = new AppConfigurationClient(other.endpoint, credentialOf(t, reader), {
      audience: other.endpoint,
    });
    await assert.rejects(
      client.getConfigurationSetting({ key: 'anything' }),
      (error: { statusCode?: number }) => {
        assert.equal(error.statusCode, 403);
        return true;
      },
    );
  });
});
