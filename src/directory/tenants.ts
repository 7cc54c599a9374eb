import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { ReadCache } from '../store/readCache.js';
import type { TenantTable } from '../store/schema.js';
import type { Tenant } from './model.js';

const toTenant = (row: Selectable<TenantTable>): Tenant => ({
  id: row.id,
  kind: row.kind === 'microsoft' ? 'microsoft' : 'customer',
  domain: row.domain,
  displayName: row.display_name,
  createdAt: Number(row.created_at),
});

/** `contoso` → `contoso.onmicrosoft.com`; a name that already has a dot is kept as a domain. */
export function defaultDomainFor(name: string): string {
  const lower = name.trim().toLowerCase();
  const domain = lower.includes('.') ? lower : `${lower}.onmicrosoft.com`;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/.test(domain)) {
    throw new TesseraError('InvalidDomainName', `'${name}' is not a valid tenant domain name.`);
  }
  return domain;
}

export class Tenants {
  constructor(
    private readonly db: Store,
    private readonly reads: ReadCache,
  ) {}

  async create(input: {
    domain: string;
    displayName?: string;
    id?: string;
    kind?: Tenant['kind'];
  }): Promise<Tenant> {
    const domain = defaultDomainFor(input.domain);
    if (await this.find(domain, { includeMicrosoft: true })) {
      throw new TesseraError('DomainInUse', `A tenant with domain '${domain}' already exists.`);
    }
    const row = {
      id: (input.id ?? randomUUID()).toLowerCase(),
      kind: input.kind ?? 'customer',
      domain,
      display_name: input.displayName ?? domain.split('.')[0] ?? domain,
      created_at: nowSeconds(),
    };
    await recordChange(this.db, 'directory', (trx) => trx.insertInto('tenants').values(row).execute());
    return toTenant(row);
  }

  /** By id or domain, case-insensitively, as Entra routes `/{tenant}/…`. */
  async find(idOrDomain: string, opts: { includeMicrosoft?: boolean } = {}): Promise<Tenant | undefined> {
    const key = idOrDomain.toLowerCase();
    const row = await this.reads.get(`tenant:${key}`, () =>
      this.db
        .selectFrom('tenants')
        .selectAll()
        .where(isGuid(key) ? 'id' : 'domain', '=', key)
        .executeTakeFirst(),
    );
    if (!row || (row.kind === 'microsoft' && !opts.includeMicrosoft)) return undefined;
    return toTenant(row);
  }

  async get(idOrDomain: string): Promise<Tenant> {
    const tenant = await this.find(idOrDomain);
    if (!tenant) throw new TesseraError('TenantNotFound', `Tenant '${idOrDomain}' not found.`);
    return tenant;
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db
      .selectFrom('tenants')
      .selectAll()
      .where('kind', '=', 'customer')
      .orderBy('created_at')
      .orderBy('domain')
      .execute();
    return rows.map(toTenant);
  }
}
