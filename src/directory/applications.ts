import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { ReadCache } from '../store/readCache.js';
import type { ApplicationTable } from '../store/schema.js';
import { parseList } from './json.js';
import { checkSpaRedirectUris } from './redirectUris.js';
import type { AppRole, Application, PermissionScope, SignInAudience } from './model.js';
import { signInAudiences } from './model.js';

export interface ApplicationInput {
  displayName: string;
  appId?: string;
  signInAudience?: SignInAudience;
  identifierUris?: string[];
  appRoles?: AppRole[];
  oauth2PermissionScopes?: PermissionScope[];
  accessTokenVersion?: 1 | 2 | null;
  isFallbackPublicClient?: boolean;
  publicClientRedirectUris?: string[];
  webRedirectUris?: string[];
  spaRedirectUris?: string[];
}

const toApplication = (row: Selectable<ApplicationTable>): Application => ({
  objectId: row.object_id,
  tenantId: row.tenant_id,
  appId: row.app_id,
  displayName: row.display_name,
  signInAudience: row.sign_in_audience as SignInAudience,
  identifierUris: parseList<string>(row.identifier_uris),
  appRoles: parseList<AppRole>(row.app_roles),
  oauth2PermissionScopes: parseList<PermissionScope>(row.oauth2_permission_scopes),
  accessTokenVersion: row.access_token_version === 2 ? 2 : row.access_token_version === 1 ? 1 : null,
  isFallbackPublicClient: row.is_fallback_public_client === 1,
  publicClientRedirectUris: parseList<string>(row.public_client_redirect_uris),
  webRedirectUris: parseList<string>(row.web_redirect_uris),
  spaRedirectUris: parseList<string>(row.spa_redirect_uris),
  createdAt: Number(row.created_at),
});

/** The columns an application's definition fills, as create and redefine write them. */
const definitionColumns = (input: ApplicationInput) => ({
  display_name: input.displayName,
  sign_in_audience: input.signInAudience ?? 'AzureADMyOrg',
  identifier_uris: JSON.stringify(input.identifierUris ?? []),
  app_roles: JSON.stringify(input.appRoles ?? []),
  oauth2_permission_scopes: JSON.stringify(input.oauth2PermissionScopes ?? []),
  access_token_version: input.accessTokenVersion ?? null,
  is_fallback_public_client: input.isFallbackPublicClient ? 1 : 0,
  public_client_redirect_uris: JSON.stringify(input.publicClientRedirectUris ?? []),
  web_redirect_uris: JSON.stringify(input.webRedirectUris ?? []),
  spa_redirect_uris: JSON.stringify(input.spaRedirectUris ?? []),
});

function validate(input: ApplicationInput): void {
  if (!input.displayName.trim()) throw new TesseraError('InvalidDisplayName', 'displayName is required.');
  if (input.appId !== undefined && !isGuid(input.appId)) {
    throw new TesseraError('InvalidAppId', `appId '${input.appId}' must be a GUID.`);
  }
  if (input.signInAudience && !signInAudiences.includes(input.signInAudience)) {
    throw new TesseraError(
      'InvalidSignInAudience',
      `signInAudience must be one of ${signInAudiences.join(', ')}.`,
    );
  }
  for (const uri of input.identifierUris ?? []) {
    if (!/^(api|https?|urn):\S+$/i.test(uri)) {
      throw new TesseraError(
        'InvalidIdentifierUri',
        `Identifier URI '${uri}' must be an absolute api://, https:// or urn: URI.`,
      );
    }
  }
  const values = new Set<string>();
  for (const role of input.appRoles ?? []) {
    if (!isGuid(role.id) || !role.value || values.has(role.value.toLowerCase())) {
      throw new TesseraError(
        'InvalidAppRole',
        `App role '${role.value}' needs a GUID id and a unique value.`,
      );
    }
    values.add(role.value.toLowerCase());
  }
  checkSpaRedirectUris(input.spaRedirectUris ?? []);
}

export class Applications {
  constructor(
    private readonly db: Store,
    private readonly reads: ReadCache,
  ) {}

  async create(tenantId: string, input: ApplicationInput): Promise<Application> {
    validate(input);
    const row = {
      object_id: randomUUID(),
      tenant_id: tenantId,
      // Stored lower-case: every lookup lower-cases the GUID it is given.
      app_id: (input.appId ?? randomUUID()).toLowerCase(),
      ...definitionColumns(input),
      created_at: nowSeconds(),
    };
    await recordChange(this.db, 'directory', (trx) => trx.insertInto('applications').values(row).execute());
    return toApplication(row);
  }

  /**
   * Makes `app` say what `input` says (display name, identifier URIs, roles, scopes, client
   * settings); its ids stay. For the first-party applications, whose definitions live in code and
   * grow between releases: returns the application as now defined, or undefined when it already was.
   */
  async redefine(app: Application, input: ApplicationInput): Promise<Application | undefined> {
    validate(input);
    const columns = definitionColumns(input);
    const current = definitionColumns(app);
    if (JSON.stringify(columns) === JSON.stringify(current)) return undefined;
    await recordChange(this.db, 'directory', (trx) =>
      trx.updateTable('applications').set(columns).where('object_id', '=', app.objectId).execute(),
    );
    const ids = {
      object_id: app.objectId,
      tenant_id: app.tenantId,
      app_id: app.appId,
      created_at: app.createdAt,
    };
    return toApplication({ ...ids, ...columns });
  }

  /** Any tenant's application, by its appId (client id): app ids are globally unique. */
  async findByAppId(appId: string): Promise<Application | undefined> {
    if (!isGuid(appId)) return undefined;
    const key = appId.toLowerCase();
    return this.reads.get(`app:${key}`, async () => {
      const row = await this.db
        .selectFrom('applications')
        .selectAll()
        .where('app_id', '=', key)
        .executeTakeFirst();
      return row && toApplication(row);
    });
  }

  /** In one tenant, by appId, objectId or an identifier URI, as `az ad app show --id` accepts. */
  async findInTenant(tenantId: string, id: string): Promise<Application | undefined> {
    const key = id.toLowerCase();
    const query = this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId);
    if (isGuid(key)) {
      const row = await query
        .where((eb) => eb.or([eb('app_id', '=', key), eb('object_id', '=', key)]))
        .executeTakeFirst();
      return row && toApplication(row);
    }
    const rows = await query.execute();
    const match = rows
      .map(toApplication)
      .find((app) => app.identifierUris.some((u) => u.toLowerCase() === key));
    return match;
  }

  async get(tenantId: string, id: string): Promise<Application> {
    const app = await this.findInTenant(tenantId, id);
    if (!app) {
      throw new TesseraError('ApplicationNotFound', `Application '${id}' does not exist in the directory.`);
    }
    return app;
  }

  async list(tenantId: string, filter: { displayName?: string } = {}): Promise<Application[]> {
    let query = this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId);
    if (filter.displayName !== undefined) query = query.where('display_name', '=', filter.displayName);
    const rows = await query.orderBy('created_at').orderBy('display_name').execute();
    return rows.map(toApplication);
  }

  /** Removes the application, its credentials and every service principal made from it. */
  async delete(app: Application): Promise<void> {
    await recordChange(this.db, 'directory', async (trx) => {
      const principals = trx
        .selectFrom('service_principals')
        .select('object_id')
        .where('app_id', '=', app.appId);
      await trx.deleteFrom('app_role_assignments').where('principal_id', 'in', principals).execute();
      await trx.deleteFrom('service_principals').where('app_id', '=', app.appId).execute();
      await trx.deleteFrom('applications').where('object_id', '=', app.objectId).execute();
    });
  }

  /**
   * A partial change of an application's definition (Graph's PATCH): what `change` names replaces
   * the current value, the rest stays. Returns the application as now defined; the caller brings
   * its service principals' names along when the identifier URIs changed (`ServicePrincipals.syncNames`).
   */
  async update(app: Application, change: Partial<Omit<ApplicationInput, 'appId'>>): Promise<Application> {
    const defined = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    const input: ApplicationInput = { ...app, ...defined };
    validate(input);
    const columns = definitionColumns(input);
    await recordChange(this.db, 'directory', (trx) =>
      trx.updateTable('applications').set(columns).where('object_id', '=', app.objectId).execute(),
    );
    const ids = {
      object_id: app.objectId,
      tenant_id: app.tenantId,
      app_id: app.appId,
      created_at: app.createdAt,
    };
    return toApplication({ ...ids, ...columns });
  }

  /** Removes one client secret of the application (Graph's removePassword); false when it has none by that id. */
  async removePasswordCredential(app: Application, keyId: string): Promise<boolean> {
    if (!isGuid(keyId)) return false;
    const result = await recordChange(this.db, 'directory', (trx) =>
      trx
        .deleteFrom('password_credentials')
        .where('application_object_id', '=', app.objectId)
        .where('key_id', '=', keyId.toLowerCase())
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }
}
