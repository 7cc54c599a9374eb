import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tessera } from '../../src/tessera.js';
import { createSelfSignedCertificate } from '../../src/tls/clientCertificate.js';
import { cliFolder } from './support.js';
import type { CliFolder, GraphApplicationOutput } from './support.js';

describe('tessera ad app', () => {
  let f: CliFolder;
  before(() => {
    f = cliFolder();
  });
  after(() => f.remove());

  it('creates an application from az-style options and prints Graph JSON', async () => {
    const roles = [
      {
        allowedMemberTypes: ['Application'],
        description: 'Read all data',
        displayName: 'Read data',
        isEnabled: 'true',
        value: 'Data.Read.All',
      },
      {
        allowedMemberTypes: ['User', 'Application'],
        displayName: 'Writer',
        id: '3f2b7e5a-8a1e-4c1b-9d6e-0d2f5b1c7a90',
        value: 'Data.Write',
        isEnabled: false,
      },
    ];
    const result = await f.cli(
      'ad app create --identifier-uris api://api-one https://api-one.example.com' +
        ' --sign-in-audience AzureADMultipleOrgs --requested-access-token-version 2' +
        ' --public-client-redirect-uris http://localhost --is-fallback-public-client true' +
        ' --web-redirect-uris https://app.example.com/signin --display-name',
      'api one',
      '--app-roles',
      JSON.stringify(roles),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\{\n {2}"api": \{\n/, 'pretty-printed with sorted keys');
    const app = JSON.parse(result.stdout) as GraphApplicationOutput & Record<string, unknown>;
    assert.equal(app.displayName, 'api one');
    assert.deepEqual(app.identifierUris, ['api://api-one', 'https://api-one.example.com']);
    assert.equal(app.signInAudience, 'AzureADMultipleOrgs');
    assert.equal(app.api.requestedAccessTokenVersion, 2);
    assert.deepEqual(app.publicClient.redirectUris, ['http://localhost']);
    assert.deepEqual(app.web.redirectUris, ['https://app.example.com/signin']);
    assert.equal(app.isFallbackPublicClient, true);
    assert.equal(app.publisherDomain, 'tessera.onmicrosoft.com');
    assert.deepEqual(app.passwordCredentials, []);
    assert.deepEqual(app.keyCredentials, []);
    assert.match(String(app.createdDateTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const [read, write] = app.appRoles;
    assert.match(read?.id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(read?.isEnabled, true);
    assert.deepEqual(read?.allowedMemberTypes, ['Application']);
    assert.equal(write?.id, '3f2b7e5a-8a1e-4c1b-9d6e-0d2f5b1c7a90');
    assert.equal(write?.isEnabled, false);
  });

  it('reads --app-roles from @file', async () => {
    const file = join(f.dataDir, 'roles.json');
    writeFileSync(file, JSON.stringify([{ allowedMemberTypes: ['Application'], value: 'Jobs.Run' }]));
    const app = await f.json<GraphApplicationOutput>(
      `ad app create --display-name jobs --app-roles @${file}`,
    );
    assert.equal(app.appRoles[0]?.value, 'Jobs.Run');
    assert.equal(app.api.requestedAccessTokenVersion, null);
  });

  it('rejects bad --app-roles JSON with exit code 1', async () => {
    const create = (roles: string) => f.cli('ad app create --display-name bad --app-roles', roles);
    const bad = await create('[{"value": ');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ERROR: Failed to parse --app-roles as JSON: /);
    assert.equal(bad.stdout, '');
    const notArray = await create('{"value":"x"}');
    assert.equal(notArray.code, 1);
    assert.match(notArray.stderr, /^ERROR: --app-roles must be a JSON array/);
    const badType = await create('[{"value":"x","allowedMemberTypes":["Robot"]}]');
    assert.equal(badType.code, 1);
    assert.match(badType.stderr, /allowedMemberTypes/);
    assert.deepEqual(await f.json('ad app list --display-name bad'), []);
  });

  it('treats unknown option values and missing options as usage errors (exit 2)', async () => {
    const audience = await f.cli('ad app create --display-name x --sign-in-audience Everyone');
    assert.equal(audience.code, 2);
    assert.match(
      audience.stderr,
      /^ERROR: option '--sign-in-audience <audience>' argument 'Everyone' is invalid/,
    );
    const missing = await f.cli('ad app show');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^ERROR: required option '--id <id>' not specified/);
    assert.equal((await f.cli('ad app frobnicate')).code, 2);
  });

  it('shows an application by appId, object id or identifier URI, and lists by display name', async () => {
    const created = await f.json<GraphApplicationOutput>(
      'ad app create --display-name showme --identifier-uris api://showme',
    );
    for (const id of [created.appId, created.id, 'API://ShowMe']) {
      assert.equal((await f.json<GraphApplicationOutput>(`ad app show --id ${id}`)).id, created.id);
    }
    const listed = await f.json<GraphApplicationOutput[]>('ad app list --display-name showme');
    assert.deepEqual(
      listed.map((a) => a.appId),
      [created.appId],
    );
    assert.ok((await f.json<GraphApplicationOutput[]>('ad app list')).length >= 2);
  });

  it('fails with ERROR: and exit code 1 for an unknown application', async () => {
    const result = await f.cli('ad app show --id 00000000-0000-0000-0000-00000000abcd');
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "ERROR: Application '00000000-0000-0000-0000-00000000abcd' does not exist in the directory.\n",
    );
    assert.equal(result.stdout, '');
  });

  it('deletes an application', async () => {
    const created = await f.json<GraphApplicationOutput>('ad app create --display-name doomed');
    const deleted = await f.cli(`ad app delete --id ${created.appId}`);
    assert.equal(deleted.code, 0);
    assert.equal(deleted.stdout, '');
    assert.equal((await f.cli(`ad app show --id ${created.appId}`)).code, 1);
    assert.equal((await f.cli(`ad app delete --id ${created.appId}`)).code, 1);
  });

  describe('credential reset', () => {
    let app: GraphApplicationOutput;
    let reset: string;
    before(async () => {
      app = await f.json<GraphApplicationOutput>('ad app create --display-name creds');
      reset = `ad app credential reset --id ${app.appId}`;
    });

    const checkSecret = async (secret: string) => {
      const tessera = await Tessera.open({ dataDir: f.dataDir });
      try {
        return await tessera.directory.credentials.checkSecret(app.id, secret);
      } finally {
        await tessera.close();
      }
    };

    it('replaces the passwords, or appends with --append', async () => {
      const first = await f.json<Record<string, unknown>>(reset);
      assert.deepEqual(Object.keys(first), ['appId', 'password', 'tenant']);
      assert.equal(first.appId, app.appId);
      const firstSecret = String(first.password);
      assert.equal(await checkSecret(firstSecret), 'valid');

      const second = await f.json<{ password: string }>(
        `${reset} --append --display-name ci --end-date 2299-12-31`,
      );
      assert.equal(await checkSecret(firstSecret), 'valid');
      assert.equal(await checkSecret(second.password), 'valid');
      const shown = await f.json<GraphApplicationOutput>(`ad app show --id ${app.appId}`);
      assert.equal(shown.passwordCredentials.length, 2);
      assert.ok(
        shown.passwordCredentials.some(
          (c) => c.displayName === 'ci' && c.endDateTime === '2299-12-31T00:00:00Z',
        ),
      );

      const third = await f.json<{ password: string }>(reset);
      assert.equal(await checkSecret(firstSecret), 'invalid');
      assert.equal(await checkSecret(second.password), 'invalid');
      assert.equal(await checkSecret(third.password), 'valid');
    });

    it('creates a certificate file with the private key and registers its thumbprint', async () => {
      const certDir = join(f.dataDir, 'certs');
      const result = await f.json<Record<string, unknown>>(
        `${reset} --create-cert --cert-dir ${certDir} --years 2`,
      );
      assert.deepEqual(Object.keys(result), ['appId', 'fileWithCertAndPrivateKey', 'password', 'tenant']);
      assert.equal(result.password, null);
      const file = String(result.fileWithCertAndPrivateKey);
      assert.match(file, /\/tmp[a-z0-9_]{8}\.pem$/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const pem = readFileSync(file, 'utf8');
      assert.match(pem, /-----BEGIN PRIVATE KEY-----/);
      const cert = new X509Certificate(pem);
      const shown = await f.json<GraphApplicationOutput>(`ad app show --id ${app.appId}`);
      assert.deepEqual(
        shown.keyCredentials.map((k) => [k.customKeyIdentifier, k.type, k.usage]),
        [[cert.fingerprint.replaceAll(':', ''), 'AsymmetricX509Cert', 'Verify']],
      );
      const years = new Date(cert.validTo).getUTCFullYear() - new Date(cert.validFrom).getUTCFullYear();
      assert.equal(years, 2);
    });

    it('registers a given certificate and keeps no private key', async () => {
      const cert = await createSelfSignedCertificate('given');
      const file = join(f.dataDir, 'given.pem');
      writeFileSync(file, `${cert.privateKeyPem}\n${cert.certPem}\n`);
      const result = await f.json<Record<string, unknown>>(`${reset} --cert @${file}`);
      assert.deepEqual(result, { appId: app.appId, password: null, tenant: result.tenant });
      const tessera = await Tessera.open({ dataDir: f.dataDir });
      try {
        const [stored, ...others] = await tessera.directory.credentials.certificates(app.id);
        assert.equal(others.length, 0);
        assert.equal(stored?.thumbprintSha1, cert.thumbprintSha1Hex);
        assert.doesNotMatch(stored?.certificatePem ?? '', /PRIVATE KEY/);
        assert.equal(stored?.endAt, Math.floor(cert.notAfter.getTime() / 1000));
      } finally {
        await tessera.close();
      }
    });

    it('rejects contradictory options and bad certificates', async () => {
      assert.equal((await f.cli(`${reset} --create-cert --cert x`)).code, 2);
      assert.equal((await f.cli(`${reset} --cert-dir /tmp`)).code, 2);
      assert.equal((await f.cli(`${reset} --years two`)).code, 2);
      assert.equal((await f.cli(`${reset} --end-date someday`)).code, 2);
      const badCert = await f.cli(reset, '--cert', 'not a pem');
      assert.equal(badCert.code, 1);
      assert.match(badCert.stderr, /^ERROR: Invalid certificate/);
    });
  });
});
