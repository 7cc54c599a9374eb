import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { nowSeconds } from '../../clock.js';
import { TesseraError } from '../../errors.js';
import { ChangeWatcher, recordChange } from '../../store/changes.js';
import type { Store } from '../../store/database.js';
import type { HeldIdentity, IdentityHost, UserAssignedIdentity } from '../model.js';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../model.js';
import { resourceId } from '../../management/resourceFields.js';
import { insertIdentityPrincipal } from './identityPrincipals.js';

export interface NewIdentityHost {
  tenantId: string;
  name: string;
  systemAssigned: boolean;
  userAssigned: readonly UserAssignedIdentity[];
  /** A free loopback port for the host's IMDS. */
  imdsPort: number;
}

/** A host as the token endpoints see it: its identities and the hash of its App Service secret. */
export interface HostCredentials extends IdentityHost {
  secretHash: Buffer;
}

// A VM or App Service name: letters, digits, dots, hyphens and underscores.
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;

const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

export const hostNotFound = (name: string): TesseraError =>
  new TesseraError('IdentityHostNotFound', `The identity host '${name}' was not found.`);

/**
 * Identity hosts. The token endpoints read every host from memory, since each token request
 * looks its host up: one snapshot, dropped when the directory changes, or access (a resource
 * group deleted, with the identities in it), in this process at once and elsewhere within 1 s.
 */
export class IdentityHosts {
  private readonly watchers: ChangeWatcher[];
  private snapshot?: { stamp: string; hosts: Promise<HostCredentials[]> };

  constructor(private readonly db: Store) {
    this.watchers = [new ChangeWatcher(db, 'directory'), new ChangeWatcher(db, 'access')];
  }

  /** Creates the host; returns its App Service secret, which is stored only as a hash. */
  async create(input: NewIdentityHost): Promise<{ host: IdentityHost; secret: string }> {
    if (!NAME.test(input.name)) {
      throw new TesseraError(
        'InvalidHostName',
        `The host name '${input.name}' is invalid: use 1-128 letters, digits, dots, hyphens and underscores, starting with a letter or a digit.`,
      );
    }
    if (!Number.isInteger(input.imdsPort) || input.imdsPort < 1 || input.imdsPort > 65535) {
      throw new TesseraError('InvalidPort', `The IMDS port ${input.imdsPort} is not a port number.`);
    }
    const foreign = input.userAssigned.find((identity) => identity.tenantId !== input.tenantId);
    if (foreign) {
      throw new TesseraError(
        'InvalidIdentity',
        `The identity '${foreign.id}' belongs to another tenant than the host.`,
      );
    }
    const existing = await this.db
      .selectFrom('identity_hosts')
      .select(['name', 'imds_port'])
      .where((eb) =>
        eb.or([eb('name_lower', '=', input.name.toLowerCase()), eb('imds_port', '=', input.imdsPort)]),
      )
      .execute();
    if (existing.some((row) => row.name.toLowerCase() === input.name.toLowerCase())) {
      throw new TesseraError('NameUnavailable', `An identity host named '${input.name}' already exists.`);
    }
    if (existing.length > 0) {
      throw new TesseraError(
        'PortInUse',
        `The IMDS port ${input.imdsPort} is already the port of the host '${existing[0]?.name ?? ''}'.`,
      );
    }
    const secret = randomBytes(32).toString('base64url');
    const createdAt = nowSeconds();
    await recordChange(this.db, 'directory', async (trx) => {
      const system = input.systemAssigned
        ? await insertIdentityPrincipal(trx, input.tenantId, input.name, createdAt)
        : undefined;
      await trx
        .insertInto('identity_hosts')
        .values({
          name: input.name,
          name_lower: input.name.toLowerCase(),
          tenant_id: input.tenantId,
          secret_hash: hashSecret(secret).toString('hex'),
          imds_port: input.imdsPort,
          system_principal_id: system?.principalId ?? null,
          system_client_id: system?.clientId ?? null,
          created_at: createdAt,
        })
        .execute();
      for (const identity of new Set(input.userAssigned.map((i) => i.principalId))) {
        await trx
          .insertInto('identity_host_identities')
          .values({ host_name_lower: input.name.toLowerCase(), principal_id: identity })
          .execute();
      }
    });
    return { host: await this.get(input.name), secret };
  }

  async find(name: string): Promise<IdentityHost | undefined> {
    const all = await this.all();
    return all.find((host) => host.name.toLowerCase() === name.toLowerCase());
  }

  async get(name: string): Promise<IdentityHost> {
    const host = await this.find(name);
    if (!host) throw hostNotFound(name);
    return host;
  }

  async list(tenantId: string): Promise<IdentityHost[]> {
    return (await this.all()).filter((host) => host.tenantId === tenantId);
  }

  /** Removes the host and its system-assigned identity; user-assigned ones stay, detached. */
  async delete(name: string): Promise<boolean> {
    const deleted = await recordChange(this.db, 'directory', (trx) =>
      trx.deleteFrom('identity_hosts').where('name_lower', '=', name.toLowerCase()).executeTakeFirst(),
    );
    return Number(deleted.numDeletedRows) > 0;
  }

  /** The host whose App Service secret this is; every stored hash is compared in constant time. */
  async findBySecret(secret: string): Promise<HostCredentials | undefined> {
    const presented = hashSecret(secret);
    let found: HostCredentials | undefined;
    for (const host of await this.all()) {
      if (timingSafeEqual(presented, host.secretHash)) found = host;
    }
    return found;
  }

  async findByImdsPort(port: number): Promise<HostCredentials | undefined> {
    return (await this.all()).find((host) => host.imdsPort === port);
  }

  /** Every host with its identities, from memory while nothing they depend on changed. */
  async all(): Promise<HostCredentials[]> {
    const stamp = (await Promise.all(this.watchers.map((w) => w.stamp()))).join('/');
    if (this.snapshot?.stamp !== stamp) {
      const hosts = this.load();
      const snapshot = { stamp, hosts };
      this.snapshot = snapshot;
      // A failed read is not kept: the next caller tries again.
      hosts.catch(() => {
        if (this.snapshot === snapshot) this.snapshot = undefined;
      });
    }
    return this.snapshot.hosts;
  }

  private async load(): Promise<HostCredentials[]> {
    const [hosts, attached] = await Promise.all([
      this.db.selectFrom('identity_hosts').selectAll().orderBy('created_at').orderBy('name_lower').execute(),
      this.db
        .selectFrom('identity_host_identities as h')
        .innerJoin('user_assigned_identities as u', 'u.principal_id', 'h.principal_id')
        .select([
          'h.host_name_lower',
          'u.tenant_id',
          'u.principal_id',
          'u.client_id',
          'u.subscription_id',
          'u.resource_group',
          'u.name',
        ])
        .orderBy('u.name_lower')
        .execute(),
    ]);
    return hosts.map((row) => ({
      name: row.name,
      tenantId: row.tenant_id,
      imdsPort: Number(row.imds_port),
      systemAssigned:
        row.system_principal_id !== null && row.system_client_id !== null
          ? {
              kind: 'SystemAssigned',
              tenantId: row.tenant_id,
              principalId: row.system_principal_id,
              clientId: row.system_client_id,
              resourceId: null,
            }
          : null,
      userAssigned: attached
        .filter((a) => a.host_name_lower === row.name_lower)
        .map((a): HeldIdentity => ({
          kind: 'UserAssigned',
          tenantId: a.tenant_id,
          principalId: a.principal_id,
          clientId: a.client_id,
          resourceId: resourceId(a.subscription_id, a.resource_group, USER_ASSIGNED_IDENTITY_TYPE, a.name),
        })),
      createdAt: Number(row.created_at),
      secretHash: Buffer.from(row.secret_hash, 'hex'),
    }));
  }
}
