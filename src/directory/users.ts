import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { changeAccess } from '../access/changes.js';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { ReadCache } from '../store/readCache.js';
import type { UserTable } from '../store/schema.js';
import type { Tenant, User } from './model.js';
import { checkPasswordComplexity, hashPassword } from './passwords.js';

export interface UserInput {
  userPrincipalName: string;
  displayName: string;
  password: string;
  mailNickname?: string;
  givenName?: string;
  surname?: string;
  accountEnabled?: boolean;
  forceChangePasswordNextSignIn?: boolean;
}

export interface UserUpdate {
  displayName?: string;
  password?: string;
  accountEnabled?: boolean;
  forceChangePasswordNextSignIn?: boolean;
}

/** What a password sign-in needs: the user and the stored hash, which nothing else sees. */
export interface SignInAccount {
  user: User;
  passwordHash: string;
}

const toUser = (row: Selectable<UserTable>): User => ({
  objectId: row.object_id,
  tenantId: row.tenant_id,
  userPrincipalName: row.user_principal_name,
  displayName: row.display_name,
  mailNickname: row.mail_nickname,
  givenName: row.given_name,
  surname: row.surname,
  accountEnabled: row.account_enabled === 1,
  forceChangePasswordNextSignIn: row.force_change_password === 1,
  credentialVersion: Number(row.credential_version),
  createdAt: Number(row.created_at),
});

// Graph's rule for the local part of a UPN: letters, digits and ' . - _ ! # ^ ~, no dot at either end.
const UPN_ALIAS = /^[A-Za-z0-9'_!#^~-](?:[A-Za-z0-9'._!#^~-]{0,62}[A-Za-z0-9'_!#^~-])?$/;

function checkUserPrincipalName(upn: string, tenant: Tenant): void {
  const at = upn.lastIndexOf('@');
  const alias = upn.slice(0, at);
  const domain = upn.slice(at + 1).toLowerCase();
  if (at <= 0 || !UPN_ALIAS.test(alias) || alias.includes('..')) {
    throw new TesseraError(
      'InvalidUserPrincipalName',
      `Property userPrincipalName '${upn}' is invalid: it must be alias@${tenant.domain}.`,
    );
  }
  if (domain !== tenant.domain) {
    throw new TesseraError(
      'InvalidUserPrincipalName',
      `The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization: ${tenant.domain}.`,
    );
  }
}

export class Users {
  constructor(
    private readonly db: Store,
    private readonly reads: ReadCache,
  ) {}

  async create(tenant: Tenant, input: UserInput): Promise<User> {
    const upn = input.userPrincipalName.trim();
    checkUserPrincipalName(upn, tenant);
    if (!input.displayName.trim()) throw new TesseraError('InvalidDisplayName', 'displayName is required.');
    checkPasswordComplexity(input.password);
    if (await this.findByUpn(tenant.id, upn)) {
      throw new TesseraError(
        'UserPrincipalNameInUse',
        `Another object with the same value for property userPrincipalName already exists: '${upn}'.`,
      );
    }
    const row = {
      object_id: randomUUID(),
      tenant_id: tenant.id,
      user_principal_name: upn,
      upn_lower: upn.toLowerCase(),
      display_name: input.displayName,
      mail_nickname: input.mailNickname ?? upn.slice(0, upn.lastIndexOf('@')),
      given_name: input.givenName ?? null,
      surname: input.surname ?? null,
      password_hash: await hashPassword(input.password),
      force_change_password: input.forceChangePasswordNextSignIn ? 1 : 0,
      account_enabled: input.accountEnabled === false ? 0 : 1,
      credential_version: 1,
      created_at: nowSeconds(),
    };
    await recordChange(this.db, 'directory', (trx) => trx.insertInto('users').values(row).execute());
    return toUser(row);
  }

  /** The sign-in view of a user, by UPN (case-insensitive); read through the directory cache. */
  async findForSignIn(tenantId: string, userPrincipalName: string): Promise<SignInAccount | undefined> {
    const key = userPrincipalName.trim().toLowerCase();
    return this.reads.get(`user-upn:${tenantId}:${key}`, async () => {
      const row = await this.db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('upn_lower', '=', key)
        .executeTakeFirst();
      return row && { user: toUser(row), passwordHash: row.password_hash };
    });
  }

  async findByUpn(tenantId: string, userPrincipalName: string): Promise<User | undefined> {
    return (await this.findForSignIn(tenantId, userPrincipalName))?.user;
  }

  /** By object id; refresh-token redemption reads this on every request, so it is cached. */
  async findById(tenantId: string, objectId: string): Promise<User | undefined> {
    if (!isGuid(objectId)) return undefined;
    const key = objectId.toLowerCase();
    return this.reads.get(`user:${tenantId}:${key}`, async () => {
      const row = await this.db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('object_id', '=', key)
        .executeTakeFirst();
      return row && toUser(row);
    });
  }

  /** By object id or UPN, as `az ad user show --id` accepts. */
  async find(tenantId: string, id: string): Promise<User | undefined> {
    return isGuid(id) ? this.findById(tenantId, id) : this.findByUpn(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<User> {
    const user = await this.find(tenantId, id);
    if (!user) {
      throw new TesseraError(
        'UserNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    return user;
  }

  async list(tenantId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('upn_lower')
      .execute();
    return rows.map(toUser);
  }

  /**
   * A new password or a disabled account moves `credentialVersion`, which ends every refresh
   * token issued before: a re-enabled account does not get its old sessions back.
   */
  async update(user: User, change: UserUpdate): Promise<User> {
    if (change.displayName !== undefined && !change.displayName.trim()) {
      throw new TesseraError('InvalidDisplayName', 'displayName is required.');
    }
    if (change.password !== undefined) checkPasswordComplexity(change.password);
    const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
    const endsSessions = passwordHash !== undefined || change.accountEnabled === false;
    await recordChange(this.db, 'directory', (trx) =>
      trx
        .updateTable('users')
        .set({
          ...(change.displayName !== undefined && { display_name: change.displayName }),
          ...(passwordHash !== undefined && { password_hash: passwordHash }),
          ...(change.accountEnabled !== undefined && { account_enabled: change.accountEnabled ? 1 : 0 }),
          ...(change.forceChangePasswordNextSignIn !== undefined && {
            force_change_password: change.forceChangePasswordNextSignIn ? 1 : 0,
          }),
          ...(endsSessions && { credential_version: sql<number>`credential_version + 1` }),
        })
        .where('object_id', '=', user.objectId)
        .execute(),
    );
    const updated = await this.findById(user.tenantId, user.objectId);
    if (!updated) throw new TesseraError('UserNotFound', `User '${user.objectId}' no longer exists.`);
    return updated;
  }

  /** Profile names (Graph's PATCH of givenName, surname, mailNickname); null clears a name. */
  async updateNames(
    user: User,
    change: { givenName?: string | null; surname?: string | null; mailNickname?: string },
  ): Promise<User> {
    if (change.mailNickname !== undefined && !/^[A-Za-z0-9'._!#^~-]{1,64}$/.test(change.mailNickname)) {
      throw new TesseraError('InvalidMailNickname', `mailNickname '${change.mailNickname}' is not valid.`);
    }
    const columns = {
      ...(change.givenName !== undefined && { given_name: change.givenName }),
      ...(change.surname !== undefined && { surname: change.surname }),
      ...(change.mailNickname !== undefined && { mail_nickname: change.mailNickname }),
    };
    if (Object.keys(columns).length === 0) return user;
    await recordChange(this.db, 'directory', (trx) =>
      trx.updateTable('users').set(columns).where('object_id', '=', user.objectId).execute(),
    );
    const updated = await this.findById(user.tenantId, user.objectId);
    if (!updated) throw new TesseraError('UserNotFound', `User '${user.objectId}' no longer exists.`);
    return updated;
  }

  /**
   * Removes the user, their group memberships and app role assignments; their refresh tokens,
   * lockout state go with them (foreign keys). Role assignments stay, as in Azure, where they
   * show an unknown principal until deleted.
   */
  async delete(user: User): Promise<void> {
    await changeAccess(this.db, (trx) =>
      trx.deleteFrom('group_members').where('member_id', '=', user.objectId).execute(),
    );
    await recordChange(this.db, 'directory', async (trx) => {
      await trx.deleteFrom('app_role_assignments').where('principal_id', '=', user.objectId).execute();
      await trx.deleteFrom('users').where('object_id', '=', user.objectId).execute();
    });
  }
}
