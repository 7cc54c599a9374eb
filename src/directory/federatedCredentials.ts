import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { ReadCache } from '../store/readCache.js';
import type { FederatedIdentityCredentialTable } from '../store/schema.js';
import { parseList } from './json.js';
import type { Application } from './model.js';

/** The audience Entra expects of workload identity tokens unless a credential says otherwise. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Graph's federatedIdentityCredential: trust in tokens an external issuer gives one subject. */
export interface FederatedIdentityCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string | null;
  createdAt: number;
}

export interface FederatedIdentityCredentialInput {
  name: string;
  issuer: string;
  subject: string;
  audiences?: string[];
  description?: string | null;
}

// Graph's limits: 20 credentials per application, names of 3-120 URL-safe characters, issuer
// and subject up to 600 characters, one audience of up to 600.
const MAX_PER_APPLICATION = 20;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/;

const toCredential = (row: Selectable<FederatedIdentityCredentialTable>): FederatedIdentityCredential => ({
  id: row.id,
  name: row.name,
  issuer: row.issuer,
  subject: row.subject,
  audiences: parseList<string>(row.audiences),
  description: row.description,
  createdAt: Number(row.created_at),
});

const invalid = (message: string) => new TesseraError('Request_BadRequest', message);

function validate(input: FederatedIdentityCredentialInput): string[] {
  if (!NAME.test(input.name)) {
    throw invalid(
      `The name '${input.name}' is invalid: use 3-120 letters, digits, hyphens and underscores, starting with a letter or a digit.`,
    );
  }
  if (
    !URL.canParse(input.issuer) ||
    new URL(input.issuer).protocol !== 'https:' ||
    input.issuer.length > 600
  ) {
    throw invalid(`The issuer '${input.issuer}' must be an https URL of at most 600 characters.`);
  }
  if (input.subject.trim() === '' || input.subject.length > 600) {
    throw invalid('The subject is required and may have at most 600 characters.');
  }
  const audiences = input.audiences ?? [TOKEN_EXCHANGE_AUDIENCE];
  if (audiences.length !== 1 || !audiences[0] || audiences[0].length > 600) {
    throw invalid('Exactly one audience of at most 600 characters is required.');
  }
  return audiences;
}

/** Federated identity credentials of applications (workload identity federation). */
export class FederatedCredentials {
  constructor(
    private readonly db: Store,
    private readonly reads: ReadCache,
  ) {}

  async create(
    app: Application,
    input: FederatedIdentityCredentialInput,
  ): Promise<FederatedIdentityCredential> {
    const audiences = validate(input);
    const existing = await this.list(app);
    if (existing.length >= MAX_PER_APPLICATION) {
      throw invalid(`An application can have at most ${MAX_PER_APPLICATION} federated identity credentials.`);
    }
    if (existing.some((c) => c.name.toLowerCase() === input.name.toLowerCase())) {
      throw invalid(`FederatedIdentityCredential with name ${input.name} already exists.`);
    }
    if (existing.some((c) => c.issuer === input.issuer && c.subject === input.subject)) {
      throw invalid(
        `FederatedIdentityCredential with the issuer '${input.issuer}' and the subject '${input.subject}' already exists.`,
      );
    }
    const row = {
      id: randomUUID(),
      application_object_id: app.objectId,
      name: input.name,
      name_lower: input.name.toLowerCase(),
      issuer: input.issuer,
      subject: input.subject,
      audiences: JSON.stringify(audiences),
      description: input.description ?? null,
      created_at: nowSeconds(),
    };
    await recordChange(this.db, 'directory', (trx) =>
      trx.insertInto('federated_identity_credentials').values(row).execute(),
    );
    return toCredential(row);
  }

  /** The application's credentials, from memory on the token path. */
  list(app: Pick<Application, 'objectId'>): Promise<FederatedIdentityCredential[]> {
    return this.reads.get(`fic:${app.objectId}`, async () => {
      const rows = await this.db
        .selectFrom('federated_identity_credentials')
        .selectAll()
        .where('application_object_id', '=', app.objectId)
        .orderBy('created_at')
        .orderBy('name_lower')
        .execute();
      return rows.map(toCredential);
    });
  }

  /** By id or name, as `az ad app federated-credential show --federated-credential-id` accepts. */
  async get(app: Application, idOrName: string): Promise<FederatedIdentityCredential> {
    const key = idOrName.toLowerCase();
    const found = (await this.list(app)).find((c) =>
      isGuid(idOrName) ? c.id === key : c.name.toLowerCase() === key,
    );
    if (!found) {
      throw new TesseraError(
        'Request_ResourceNotFound',
        `Resource '${idOrName}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    return found;
  }

  async delete(app: Application, idOrName: string): Promise<void> {
    const found = await this.get(app, idOrName);
    await recordChange(this.db, 'directory', (trx) =>
      trx.deleteFrom('federated_identity_credentials').where('id', '=', found.id).execute(),
    );
  }
}
