import { freeLoopbackPort } from '../net/freePort.js';
import type { Store } from '../store/database.js';

/** A resource that is an origin of its own: `https://<host>:<port>` addresses it with no path. */
export interface PortResource {
  /** `graph`: Microsoft Graph's own origin (one per data folder; its name is `graph`). */
  kind: 'configurationStore' | 'mediaService' | 'graph';
  name: string;
  port: number;
}

type Hook = () => Promise<void>;

const ATTEMPTS = 20;

/**
 * The ports that make App Configuration stores and Media Services accounts origins of their own.
 * Clients such as the App Configuration provider keep only an endpoint's origin, and SDKs in other
 * languages sign over the path relative to the endpoint: a path-style endpoint breaks both, and a
 * host name per store needs DNS. A port per resource needs neither; it is recorded with the
 * resource, so every process (and, later, every node) listens on the same one.
 */
export class ResourcePorts {
  private readonly hooks = new Set<Hook>();

  constructor(private readonly db: Store) {}

  /**
   * A port the kernel just handed out on the loopback and no resource holds. Taking the kernel's
   * choice, rather than counting up from a base, keeps concurrent allocators (parallel test
   * servers, the CLI beside a server) from picking the same one.
   */
  async allocate(): Promise<number> {
    const taken = new Set((await this.list()).map((r) => r.port));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = await freeLoopbackPort();
      if (!taken.has(port)) return port;
    }
    throw new Error('no free loopback port could be found for the resource');
  }

  async list(): Promise<PortResource[]> {
    const [stores, accounts, services] = await Promise.all([
      this.db
        .selectFrom('configuration_stores')
        .select(['name', 'port'])
        .where('port', 'is not', null)
        .execute(),
      this.db.selectFrom('media_services').select(['name', 'port']).where('port', 'is not', null).execute(),
      this.db.selectFrom('service_ports').select(['service', 'port']).execute(),
    ]);
    return [
      ...stores.map((r) => ({ kind: 'configurationStore' as const, name: r.name, port: Number(r.port) })),
      ...accounts.map((r) => ({ kind: 'mediaService' as const, name: r.name, port: Number(r.port) })),
      ...services.map((r) => ({ kind: 'graph' as const, name: r.service, port: Number(r.port) })),
    ];
  }

  /** Microsoft Graph's port, given once and kept (a new data folder gets one at first start). */
  async graphPort(): Promise<number> {
    const existing = await this.db
      .selectFrom('service_ports')
      .select('port')
      .where('service', '=', 'graph')
      .executeTakeFirst();
    if (existing) return Number(existing.port);
    await this.db
      .insertInto('service_ports')
      .values({ service: 'graph', port: await this.allocate() })
      .onConflict((c) => c.doNothing())
      .execute();
    return this.graphPort();
  }

  async at(port: number): Promise<PortResource | undefined> {
    const store = await this.db
      .selectFrom('configuration_stores')
      .select('name')
      .where('port', '=', port)
      .executeTakeFirst();
    if (store) return { kind: 'configurationStore', name: store.name, port };
    const account = await this.db
      .selectFrom('media_services')
      .select('name')
      .where('port', '=', port)
      .executeTakeFirst();
    if (account) return { kind: 'mediaService', name: account.name, port };
    const service = await this.db
      .selectFrom('service_ports')
      .select('service')
      .where('port', '=', port)
      .executeTakeFirst();
    return service && { kind: 'graph', name: service.service, port };
  }

  /** Resources made before ports existed (or by an older release) get one. */
  async assignMissing(): Promise<void> {
    const stores = await this.db
      .selectFrom('configuration_stores')
      .select('name')
      .where('port', 'is', null)
      .execute();
    for (const { name } of stores) {
      const port = await this.allocate();
      await this.db.updateTable('configuration_stores').set({ port }).where('name', '=', name).execute();
    }
    const accounts = await this.db
      .selectFrom('media_services')
      .select('name')
      .where('port', 'is', null)
      .execute();
    for (const { name } of accounts) {
      const port = await this.allocate();
      await this.db.updateTable('media_services').set({ port }).where('name', '=', name).execute();
    }
  }

  /**
   * A server listens for changes, so that a resource created through it answers at its origin
   * before the creating request returns (others are picked up by its poll).
   */
  onChange(hook: Hook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  async changed(): Promise<void> {
    for (const hook of this.hooks) await hook();
  }
}
