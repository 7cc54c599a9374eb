import { Option } from 'commander';
import type { Command } from 'commander';
import type { Directory } from '../../directory/directory.js';
import type { Application, SignInAudience, Tenant } from '../../directory/model.js';
import { signInAudiences } from '../../directory/model.js';
import { checkCredentialOptions, issueCredential } from '../appCredentials.js';
import type { CredentialOptions } from '../appCredentials.js';
import { parseAppRoles } from '../appRoles.js';
import { parsePermissionScopes } from '../appScopes.js';
import { graphApplication } from '../graph.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { TenantOptions } from '../options.js';
import { parseDate, parsePositiveInteger, readValue, tenantCommand, withTenant } from '../options.js';

interface AppCreateOptions extends TenantOptions {
  displayName: string;
  identifierUris?: string[];
  signInAudience?: SignInAudience;
  appRoles?: string;
  requestedAccessTokenVersion?: '1' | '2';
  publicClientRedirectUris?: string[];
  isFallbackPublicClient?: 'true' | 'false';
  webRedirectUris?: string[];
  spaRedirectUris?: string[];
  scopes?: string;
}

interface AppIdOptions extends TenantOptions {
  id: string;
}

type CredentialResetOptions = AppIdOptions & CredentialOptions;

async function describeApplication(directory: Directory, app: Application, tenant: Tenant) {
  const [passwords, certificates] = await Promise.all([
    directory.credentials.passwords(app.objectId),
    directory.credentials.certificates(app.objectId),
  ]);
  return graphApplication(app, tenant.domain, { passwords, certificates });
}

// Unset (null) means v1.0 tokens, as for an application Graph created without the setting.
const accessTokenVersion = (version: '1' | '2' | undefined): 1 | 2 | null =>
  version === undefined ? null : version === '2' ? 2 : 1;

const ID_HELP = "The application's appId, object id or an identifier URI.";

export function registerAdApp(ad: Command, io: CliIo): void {
  const app = ad.command('app').description('Manage applications.');

  tenantCommand(app, 'create', 'Create an application.')
    .requiredOption('--display-name <name>', 'Display name of the application.')
    .option(
      '--identifier-uris <uri...>',
      'Application ID URIs (api://…, https://…), used as token audiences.',
    )
    .addOption(new Option('--sign-in-audience <audience>', 'Who may sign in.').choices([...signInAudiences]))
    .option('--app-roles <json>', "App roles as az's JSON manifest, or @file.")
    .addOption(
      new Option(
        '--requested-access-token-version <version>',
        'Access token version the application accepts (default: 1).',
      ).choices(['1', '2']),
    )
    .option('--public-client-redirect-uris <uri...>', 'Redirect URIs of public clients.')
    .addOption(
      new Option('--is-fallback-public-client <bool>', 'Treat the application as a public client.').choices([
        'true',
        'false',
      ]),
    )
    .option('--web-redirect-uris <uri...>', 'Redirect URIs of web applications.')
    .option(
      '--spa-redirect-uris <uri...>',
      'Redirect URIs of single-page applications (code + PKCE, redeemed cross-origin from the browser).',
    )
    .option(
      '--scopes <values>',
      "Delegated permissions the API exposes, comma-separated (e.g. 'user_impersonation,Orders.Read'); they become the scp claim.",
    )
    .action(async (options: AppCreateOptions) => {
      const appRoles =
        options.appRoles === undefined ? undefined : parseAppRoles(await readValue(options.appRoles));
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const created = await directory.applications.create(tenant.id, {
          displayName: options.displayName,
          identifierUris: options.identifierUris,
          signInAudience: options.signInAudience,
          appRoles,
          accessTokenVersion: accessTokenVersion(options.requestedAccessTokenVersion),
          publicClientRedirectUris: options.publicClientRedirectUris,
          isFallbackPublicClient: options.isFallbackPublicClient === 'true',
          webRedirectUris: options.webRedirectUris,
          spaRedirectUris: options.spaRedirectUris,
          oauth2PermissionScopes:
            options.scopes === undefined ? undefined : parsePermissionScopes(options.scopes),
        });
        return describeApplication(directory, created, tenant);
      });
      printJson(io, json);
    });

  tenantCommand(app, 'list', 'List applications.')
    .option('--display-name <name>', 'Only applications with this display name.')
    .action(async (options: TenantOptions & { displayName?: string }) => {
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const apps = await directory.applications.list(tenant.id, { displayName: options.displayName });
        return Promise.all(apps.map((found) => describeApplication(directory, found, tenant)));
      });
      printJson(io, json);
    });

  tenantCommand(app, 'show', 'Show an application.')
    .requiredOption('--id <id>', ID_HELP)
    .action(async (options: AppIdOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        describeApplication(directory, await directory.applications.get(tenant.id, options.id), tenant),
      );
      printJson(io, json);
    });

  tenantCommand(app, 'delete', 'Delete an application, its credentials and its service principals.')
    .requiredOption('--id <id>', ID_HELP)
    .action(async (options: AppIdOptions) => {
      await withTenant(options, async ({ directory }, tenant) =>
        directory.applications.delete(await directory.applications.get(tenant.id, options.id)),
      );
    });

  const credential = app.command('credential').description("Manage an application's credentials.");
  tenantCommand(credential, 'reset', "Reset an application's password or certificate credentials.")
    .requiredOption('--id <id>', ID_HELP)
    .option('--append', 'Keep the existing credentials of the same kind.')
    .option('--display-name <name>', 'Display name of the new credential.')
    .option('--years <n>', 'Years the credential is valid (default: 1).', parsePositiveInteger)
    .option('--end-date <date>', "Expiry of a password, e.g. '2299-12-31'.", parseDate)
    .option('--create-cert', 'Create a self-signed certificate instead of a password.')
    .option('--cert <pem>', 'Register this PEM certificate (or @file) instead of a password.')
    .option('--cert-dir <dir>', 'Where --create-cert writes its PEM file (default: your home directory).')
    .action(async (options: CredentialResetOptions) => {
      checkCredentialOptions(options);
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const found = await directory.applications.get(tenant.id, options.id);
        const issued = await issueCredential(directory, found, options);
        return { appId: found.appId, ...issued, tenant: tenant.id };
      });
      printJson(io, json);
    });
}
