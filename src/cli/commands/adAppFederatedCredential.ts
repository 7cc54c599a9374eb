import type { Command } from 'commander';
import type {
  FederatedIdentityCredential,
  FederatedIdentityCredentialInput,
} from '../../directory/federatedCredentials.js';
import { TesseraError } from '../../errors.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { TenantOptions } from '../options.js';
import { readValue, tenantCommand, withTenant } from '../options.js';

interface AppOptions extends TenantOptions {
  id: string;
}

interface CredentialOptions extends AppOptions {
  federatedCredentialId: string;
}

const ID_HELP = "The application's appId, object id or an identifier URI.";

/** Graph's federatedIdentityCredential, as `az ad app federated-credential` prints it. */
const graphCredential = (credential: FederatedIdentityCredential) => ({
  audiences: credential.audiences,
  description: credential.description,
  id: credential.id,
  issuer: credential.issuer,
  name: credential.name,
  subject: credential.subject,
});

const badParameters = (detail: string) =>
  new TesseraError('InvalidParameters', `The --parameters JSON is not valid: ${detail}`);

/** az's `--parameters`: `{"name","issuer","subject","audiences"?,"description"?}`, inline or `@file`. */
function parseParameters(text: string): FederatedIdentityCredentialInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badParameters('it is not JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badParameters('expected an object.');
  const body = value as Record<string, unknown>;
  const field = (key: string): string => {
    const value = body[key];
    if (typeof value !== 'string') throw badParameters(`'${key}' must be a string.`);
    return value;
  };
  const audiences = body.audiences;
  if (
    audiences !== undefined &&
    (!Array.isArray(audiences) || !audiences.every((a) => typeof a === 'string'))
  ) {
    throw badParameters("'audiences' must be an array of strings.");
  }
  const description = body.description;
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw badParameters("'description' must be a string.");
  }
  return {
    name: field('name'),
    issuer: field('issuer'),
    subject: field('subject'),
    ...(audiences !== undefined && { audiences }),
    ...(typeof description === 'string' && { description }),
  };
}

/** `ad app federated-credential create|list|show|delete`, under `ad app` (registered from the program). */
export function registerAdAppFederatedCredential(ad: Command, io: CliIo): void {
  const app = ad.commands.find((command) => command.name() === 'app');
  if (!app) throw new Error('`ad app` must be registered before its federated credentials');
  const group = app
    .command('federated-credential')
    .description("Manage an application's federated identity credentials (workload identity federation).");

  tenantCommand(group, 'create', 'Trust tokens that an external issuer gives one subject.')
    .requiredOption('--id <id>', ID_HELP)
    .requiredOption(
      '--parameters <json>',
      'The credential: JSON, or @file: name, issuer, subject, audiences.',
    )
    .action(async (options: AppOptions & { parameters: string }) => {
      const input = parseParameters(await readValue(options.parameters));
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const application = await directory.applications.get(tenant.id, options.id);
        return graphCredential(await directory.federatedCredentials.create(application, input));
      });
      printJson(io, json);
    });

  tenantCommand(group, 'list', "List an application's federated identity credentials.")
    .requiredOption('--id <id>', ID_HELP)
    .action(async (options: AppOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const application = await directory.applications.get(tenant.id, options.id);
        return (await directory.federatedCredentials.list(application)).map(graphCredential);
      });
      printJson(io, json);
    });

  tenantCommand(group, 'show', 'Show a federated identity credential.')
    .requiredOption('--id <id>', ID_HELP)
    .requiredOption('--federated-credential-id <id>', 'The credential: its id or its name.')
    .action(async (options: CredentialOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const application = await directory.applications.get(tenant.id, options.id);
        return graphCredential(
          await directory.federatedCredentials.get(application, options.federatedCredentialId),
        );
      });
      printJson(io, json);
    });

  tenantCommand(group, 'delete', 'Delete a federated identity credential.')
    .requiredOption('--id <id>', ID_HELP)
    .requiredOption('--federated-credential-id <id>', 'The credential: its id or its name.')
    .action(async (options: CredentialOptions) => {
      await withTenant(options, async ({ directory }, tenant) => {
        const application = await directory.applications.get(tenant.id, options.id);
        await directory.federatedCredentials.delete(application, options.federatedCredentialId);
      });
    });
}
