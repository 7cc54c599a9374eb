import type { Store } from '../store/database.js';
import { freeLoopbackPort } from '../net/freePort.js';
import type { IdentityHost } from './model.js';
import type { NewIdentityHost } from './persistence/identityHosts.js';
import { IdentityHosts } from './persistence/identityHosts.js';
import { UserAssignedIdentities } from './persistence/userAssignedIdentities.js';

/** The managed identity slice over one store: what the CLI, ARM and the token endpoints share. */
export class ManagedIdentities {
  readonly userAssigned: UserAssignedIdentities;
  readonly hosts: IdentityHosts;

  constructor(db: Store) {
    this.userAssigned = new UserAssignedIdentities(db);
    this.hosts = new IdentityHosts(db);
  }

  /** Creates a host; port 0 picks a free loopback port for its IMDS, recorded with the host. */
  async createHost(input: NewIdentityHost): Promise<{ host: IdentityHost; secret: string }> {
    const imdsPort = input.imdsPort === 0 ? await freeLoopbackPort() : input.imdsPort;
    return this.hosts.create({ ...input, imdsPort });
  }
}

const byStore = new WeakMap<Store, ManagedIdentities>();

/** One instance per opened store, so its in-memory host snapshot is shared by its callers. */
export function managedIdentitiesOf(db: Store): ManagedIdentities {
  let found = byStore.get(db);
  if (!found) byStore.set(db, (found = new ManagedIdentities(db)));
  return found;
}
