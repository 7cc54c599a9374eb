import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tessera } from '../../src/tessera.js';
import { cliFolder } from './support.js';
import type { CliFolder, GraphApplicationOutput, RbacOutput } from './support.js';

interface GraphServicePrincipalOutput {
  id: string;
  appId: string;
  displayName: string;
  appOwnerOrganizationId: string;
  servicePrincipalNames: string[];
  servicePrincipalType: string;
  accountEnabled: boolean;
  appRoles: Array<{ value: string }>;
}

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

describe('tessera ad sp', () => {
  let f: CliFolder;
  let tessera: Tessera;
  let sub: string;

  before(async () => {
    f = cliFolder();
    // Held open across the CLI runs: both see the same data through SQLite's WAL.
    tessera = await Tessera.open({ dataDir: f.dataDir });
    const bootstrap = await tessera.bootstrap();
    assert.ok(bootstrap);
    sub = `/subscriptions/${bootstrap.subscription.subscriptionId}`;
  });
  after(async () => {
    await tessera.close();
    f.remove();
  });

  const applicationsNamed = async (name: string) => {
    const tenant = await tessera.defaultTenant();
    return tessera.directory.applications.list(tenant.id, { displayName: name });
  };

  describe('create-for-rbac', () => {
    it("prints exactly az's fields, and the secret authenticates", async () => {
      const result = await f.cli('ad sp create-for-rbac --name ci-app');
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout) as RbacOutput;
      assert.deepEqual(Object.keys(out), ['appId', 'displayName', 'password', 'tenant']);
      assert.equal(out.displayName, 'ci-app');
      assert.equal(out.tenant, (await tessera.defaultTenant()).id);
      assert.match(out.password ?? '', /^.{3}8Q~.{34}$/);

      // The instance opened before the CLI ran sees what the CLI made.
      const app = await tessera.directory.applications.findByAppId(out.appId);
      assert.ok(app);
      assert.equal(
        await tessera.directory.credentials.checkSecret(app.objectId, out.password ?? ''),
        'valid',
      );
      assert.ok(await tessera.directory.servicePrincipals.findByAppId(out.tenant, out.appId));

      const shown = await f.cli(`ad app show --id ${out.appId}`);
      const graph = JSON.parse(shown.stdout) as GraphApplicationOutput;
      assert.equal(graph.passwordCredentials.length, 1);
      assert.equal(graph.passwordCredentials[0]?.hint, out.password?.slice(0, 3));
      assert.equal(graph.passwordCredentials[0]?.secretText, null);
      assert.ok(!shown.stdout.includes(out.password ?? ''), 'the secret is never shown again');
    });

    it('reuses an application with the same display name and resets its password', async () => {
      const first = await f.json<RbacOutput>('ad sp create-for-rbac --name rerun');
      const again = await f.cli('ad sp create-for-rbac --name rerun');
      const second = JSON.parse(again.stdout) as RbacOutput;
      assert.equal(second.appId, first.appId);
      assert.match(again.stderr, /WARNING: Found an existing application instance/);
      const [app, ...more] = await applicationsNamed('rerun');
      assert.ok(app);
      assert.equal(more.length, 0);
      const { credentials } = tessera.directory;
      assert.equal(await credentials.checkSecret(app.objectId, first.password ?? ''), 'invalid');
      assert.equal(await credentials.checkSecret(app.objectId, second.password ?? ''), 'valid');
    });

    it('writes a certificate file whose thumbprint is registered with --create-cert', async () => {
      const certDir = join(f.dataDir, 'certs');
      const out = await f.json<RbacOutput>(
        `ad sp create-for-rbac --name cert-app --create-cert --cert-dir ${certDir}`,
      );
      assert.deepEqual(Object.keys(out), [
        'appId',
        'displayName',
        'fileWithCertAndPrivateKey',
        'password',
        'tenant',
      ]);
      assert.equal(out.password, null);
      assert.ok(out.fileWithCertAndPrivateKey?.startsWith(certDir));
      const pem = readFileSync(out.fileWithCertAndPrivateKey ?? '', 'utf8');
      assert.match(pem, /-----BEGIN PRIVATE KEY-----[^]+-----END PRIVATE KEY-----/);
      assert.match(pem, /-----BEGIN CERTIFICATE-----[^]+-----END CERTIFICATE-----/);
      const cert = new X509Certificate(pem);
      assert.ok(cert.checkPrivateKey(createPrivateKey(pem)));
      const app = await tessera.directory.applications.findByAppId(out.appId);
      assert.ok(app);
      const sha1 = cert.fingerprint.replaceAll(':', '');
      assert.ok(
        await tessera.directory.credentials.findCertificate(app.objectId, { sha1 }),
        'thumbprint registered',
      );
      assert.deepEqual(await tessera.directory.credentials.passwords(app.objectId), []);
    });

    it('creates a role assignment per scope with --role and --scopes', async () => {
      const result = await f.cli(
        `ad sp create-for-rbac --name deployer --role contributor --scopes ${sub}/resourceGroups/TESSERA-RG ${sub}`,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /Creating 'Contributor' role assignment under scope/);
      const out = JSON.parse(result.stdout) as RbacOutput;
      const sp = await tessera.directory.servicePrincipals.findByAppId(out.tenant, out.appId);
      assert.ok(sp);
      const assignments = await tessera.roleAssignments.list({ principalId: sp.objectId });
      assert.deepEqual(
        assignments.map((a) => a.scope).sort(),
        [`${sub}/resourceGroups/tessera-rg`, sub].sort(),
      );
      for (const a of assignments) {
        assert.equal(a.roleDefinitionId, CONTRIBUTOR);
        assert.equal(a.principalType, 'ServicePrincipal');
      }
    });

    it('is a usage error (exit 2) to give --role without --scopes, and nothing is created', async () => {
      const result = await f.cli('ad sp create-for-rbac --name no-scopes --role Contributor');
      assert.equal(result.code, 2);
      assert.equal(result.stderr, 'ERROR: --scopes argument is required when using --role\n');
      assert.equal(result.stdout, '');
      assert.deepEqual(await applicationsNamed('no-scopes'), []);
      assert.equal((await f.cli(`ad sp create-for-rbac --name no-role --scopes ${sub}`)).code, 2);
    });

    it('refuses an unknown role before creating anything', async () => {
      const result = await f.cli(`ad sp create-for-rbac --name bad-role --role Superuser --scopes ${sub}`);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, "ERROR: Role 'Superuser' doesn't exist.\n");
      assert.deepEqual(await applicationsNamed('bad-role'), []);
    });

    it('rolls the application and earlier assignments back when a scope is refused', async () => {
      const result = await f.cli(
        `ad sp create-for-rbac --name half-made --role Reader --scopes ${sub} ${sub}/resourceGroups/missing`,
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /ERROR: Resource group 'missing' could not be found\.\n$/);
      assert.equal(result.stdout, '');
      assert.deepEqual(await applicationsNamed('half-made'), []);
      const readers = await tessera.roleAssignments.list({ scope: sub });
      assert.deepEqual(
        readers.filter((a) => a.roleDefinitionId === READER),
        [],
      );
    });
  });

  describe('create, show, list', () => {
    it('creates a service principal for an application and shows it by appId, object id or name', async () => {
      const app = await f.json<GraphApplicationOutput>(
        'ad app create --display-name spapp --identifier-uris api://spapp --app-roles',
        '[{"allowedMemberTypes":["Application"],"value":"Things.Read"}]',
      );
      const sp = await f.json<GraphServicePrincipalOutput>(`ad sp create --id ${app.appId}`);
      assert.equal(sp.appId, app.appId);
      assert.equal(sp.displayName, 'spapp');
      assert.equal(sp.servicePrincipalType, 'Application');
      assert.equal(sp.accountEnabled, true);
      assert.equal(sp.appOwnerOrganizationId, (await tessera.defaultTenant()).id);
      assert.deepEqual(sp.servicePrincipalNames.sort(), [app.appId, 'api://spapp'].sort());
      assert.deepEqual(
        sp.appRoles.map((r) => r.value),
        ['Things.Read'],
      );

      for (const id of [app.appId, sp.id, 'api://spapp']) {
        assert.equal((await f.json<GraphServicePrincipalOutput>(`ad sp show --id ${id}`)).id, sp.id);
      }
      const listed = await f.json<GraphServicePrincipalOutput[]>('ad sp list');
      assert.ok(listed.some((p) => p.id === sp.id));
      assert.ok(listed.some((p) => p.displayName === 'Windows Azure Service Management API'));
      const named = await f.json<GraphServicePrincipalOutput[]>('ad sp list --display-name spapp');
      assert.deepEqual(
        named.map((p) => p.id),
        [sp.id],
      );

      const again = await f.cli(`ad sp create --id ${app.appId}`);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^ERROR: A service principal for application .* already exists/);
    });

    it('fails for unknown applications and principals', async () => {
      const create = await f.cli('ad sp create --id 00000000-0000-0000-0000-0000000000aa');
      assert.equal(create.code, 1);
      assert.match(
        create.stderr,
        /^ERROR: Application with identifier '00000000-0000-0000-0000-0000000000aa'/,
      );
      const show = await f.cli('ad sp show --id api://nobody');
      assert.equal(show.code, 1);
      assert.equal(show.stderr, "ERROR: Service principal 'api://nobody' doesn't exist\n");
    });
  });

  describe('app-role assign', () => {
    let client: RbacOutput;
    before(async () => {
      const roles = [
        { allowedMemberTypes: ['Application'], value: 'Reports.Read.All', displayName: 'Read reports' },
        { allowedMemberTypes: ['User'], value: 'Reports.Approve', displayName: 'Approve reports' },
      ];
      const api = await f.json<GraphApplicationOutput>(
        'ad app create --display-name reports-api --identifier-uris api://reports --app-roles',
        JSON.stringify(roles),
      );
      await f.json(`ad sp create --id ${api.appId}`);
      client = await f.json<RbacOutput>('ad sp create-for-rbac --name reports-client');
    });

    const assign = (resource: string, role: string) =>
      f.cli(`ad sp app-role assign --id ${client.appId} --resource ${resource} --role ${role}`);

    it("assigns a resource's app role to a client and prints Graph's appRoleAssignment", async () => {
      const result = await assign('api://reports/', 'Reports.Read.All');
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout) as Record<string, unknown>;
      const { servicePrincipals, applications } = tessera.directory;
      const principal = await servicePrincipals.findByAppId(client.tenant, client.appId);
      const resource = (await servicePrincipals.resolveResource(client.tenant, 'api://reports'))
        ?.servicePrincipal;
      const resourceApp = await applications.findByAppId(resource?.appId ?? '');
      assert.equal(out.principalId, principal?.objectId);
      assert.equal(out.principalType, 'ServicePrincipal');
      assert.equal(out.principalDisplayName, 'reports-client');
      assert.equal(out.resourceId, resource?.objectId);
      assert.equal(out.resourceDisplayName, 'reports-api');
      assert.equal(out.appRoleId, resourceApp?.appRoles.find((r) => r.value === 'Reports.Read.All')?.id);
      assert.match(String(out.id), /^[0-9a-f-]{36}$/);
      assert.match(String(out.createdDateTime), /Z$/);
      assert.deepEqual(
        await servicePrincipals.appRoleIdsFor(String(out.principalId), String(out.resourceId)),
        [out.appRoleId],
      );

      const again = await assign('api://reports', 'Reports.Read.All');
      assert.equal(again.code, 1);
      assert.equal(again.stderr, 'ERROR: Permission being assigned already exists on the object.\n');
    });

    it('refuses roles that are unknown or not for applications, and unknown resources', async () => {
      const userRole = await assign('api://reports', 'Reports.Approve');
      assert.equal(userRole.code, 1);
      assert.match(userRole.stderr, /cannot be assigned to applications/);
      const unknownRole = await assign('api://reports', 'Reports.Delete');
      assert.equal(unknownRole.code, 1);
      assert.match(unknownRole.stderr, /has no enabled app role 'Reports.Delete'/);
      const unknownResource = await assign('api://nothing', 'Reports.Read.All');
      assert.equal(unknownResource.code, 1);
      assert.match(unknownResource.stderr, /^ERROR: Resource 'api:\/\/nothing' has no service principal/);
    });
  });
});
