import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../../clock.js';
import type { Store } from '../../store/database.js';
import { appConfigErrors } from '../errors.js';
import { newEtag } from '../etags.js';
import type { StringFilter } from '../filters/filterSyntax.js';
import { keyValueSize } from '../keyValueRules.js';
import type { CompositionType, KeyValue, Snapshot, SnapshotFilter, SnapshotStatus } from '../model.js';
import { DataStamp } from './dataStamp.js';
import { appConfigEngine } from './engine.js';
import { listKeyValues } from './keyValues.js';
import { KEY_VALUE_COLUMNS } from './rows.js';
import type { KeyValueRow, KeyValueRows } from './rows.js';
import type { AppConfigEngine } from './engineContract.js';
import type { WriteSql } from './sql.js';
import { queryRow } from './sql.js';
import { Conditions, addStringFilter } from './sqlFilters.js';
import type { KeyValueQuery } from './sqlFilters.js';

interface SnapshotRow {
  name: string;
  status: string;
  filters: string;
  composition_type: string;
  created: number;
  expires: number | null;
  retention_period: number;
  size: number;
  items_count: number;
  tags: string;
  description: string | null;
  etag: string;
  operation_id: string;
}

export interface SnapshotSpec {
  name: string;
  filters: SnapshotFilter[];
  /** The filters parsed, in the same order. */
  queries: KeyValueQuery[];
  compositionType: CompositionType;
  retentionPeriod: number;
  tags: Record<string, string>;
  description: string | null;
}

const COLUMNS =
  'name, status, filters, composition_type, created, expires, retention_period, size, items_count, tags, description, etag, operation_id';
// Archived snapshots are gone once they expire: reads skip them, writes purge them.
const LIVE = '(expires IS NULL OR expires > ?)';
const GET = `SELECT ${COLUMNS} FROM appconfig_snapshots WHERE store_name = ? AND name = ? AND ${LIVE}`;
const INSERT = `INSERT INTO appconfig_snapshots (store_name, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_ITEM = `INSERT INTO appconfig_snapshot_items (store_name, snapshot_name, position, ${KEY_VALUE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPDATE_STATUS =
  'UPDATE appconfig_snapshots SET status = ?, expires = ?, etag = ? WHERE store_name = ? AND name = ?';
const PURGE = "DELETE FROM appconfig_snapshots WHERE store_name = ? AND status = 'archived' AND expires <= ?";
const ITEMS = `SELECT ${KEY_VALUE_COLUMNS} FROM appconfig_snapshot_items WHERE store_name = ? AND snapshot_name = ? AND position >= ? ORDER BY position LIMIT ?`;

const statusOf = (text: string): SnapshotStatus =>
  text === 'provisioning' || text === 'archived' || text === 'failed' ? text : 'ready';

const toSnapshot = (row: SnapshotRow, rows: KeyValueRows): Snapshot => ({
  name: row.name,
  status: statusOf(row.status),
  filters: JSON.parse(row.filters) as SnapshotFilter[],
  compositionType: row.composition_type === 'key_label' ? 'key_label' : 'key',
  created: Number(row.created),
  expires: row.expires === null ? null : Number(row.expires),
  retentionPeriod: Number(row.retention_period),
  size: Number(row.size),
  itemsCount: Number(row.items_count),
  tags: JSON.parse(row.tags) as Record<string, string>,
  description: rows.loadedText(row.description),
  etag: row.etag,
  operationId: row.operation_id,
});

/** UTF-8 byte order, the order both engines list keys in. */
const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byKeyAndLabel = (a: KeyValue, b: KeyValue): number =>
  utf8Compare(a.key, b.key) || utf8Compare(a.label ?? '', b.label ?? '');

/**
 * The content of a new snapshot: each filter's key-values in turn. Composition `key` keeps one
 * key-value per key (a later filter overrides an earlier one); `key_label` one per key and label.
 */
async function compose(
  engine: AppConfigEngine,
  trx: WriteSql,
  storeName: string,
  spec: SnapshotSpec,
): Promise<KeyValue[]> {
  const chosen = new Map<string, KeyValue>();
  for (const query of spec.queries) {
    for (const kv of await listKeyValues(engine, trx, storeName, query, { limit: -1 })) {
      chosen.set(spec.compositionType === 'key' ? kv.key : `${kv.key}\n${kv.label ?? ''}`, kv);
    }
  }
  return [...chosen.values()].sort(byKeyAndLabel);
}

/** Point-in-time copies of a store's key-values, which can be archived and recovered. */
export class Snapshots {
  private readonly engine: AppConfigEngine;

  constructor(
    db: Store,
    private readonly stamp = new DataStamp(db),
  ) {
    this.engine = appConfigEngine(db);
  }

  async get(storeName: string, name: string): Promise<Snapshot | undefined> {
    const row = await queryRow<SnapshotRow>(this.engine.reads, GET, [storeName, name, nowSeconds()]);
    return row && toSnapshot(row, this.engine.rows);
  }

  async list(
    storeName: string,
    options: { name?: StringFilter; statuses?: readonly SnapshotStatus[]; after?: string; limit: number },
  ): Promise<Snapshot[]> {
    const where = new Conditions().add('store_name = ?', storeName).add(LIVE, nowSeconds());
    addStringFilter(where, 'name', options.name, options.after);
    if (options.statuses && options.statuses.length > 0) {
      where.add(`status IN (${options.statuses.map(() => '?').join(', ')})`, ...options.statuses);
    }
    if (options.after !== undefined) where.add('name > ?', options.after);
    const text = `SELECT ${COLUMNS} FROM appconfig_snapshots WHERE 1 = 1${where.sql} ORDER BY name LIMIT ?`;
    const rows = await this.engine.reads.rows<SnapshotRow>(text, [
      ...where.params,
      this.engine.limit(options.limit),
    ]);
    return rows.map((row) => toSnapshot(row, this.engine.rows));
  }

  /**
   * Creates the snapshot and its content in one transaction, so it is ready as soon as it exists
   * (the service's long-running operation has always succeeded by the time a client polls it).
   */
  async create(storeName: string, spec: SnapshotSpec): Promise<Snapshot> {
    return this.change(storeName, async (trx) => {
      const now = nowSeconds();
      await trx.write(PURGE, [storeName, now]);
      if (await queryRow(trx, GET, [storeName, spec.name, now])) throw appConfigErrors.alreadyExists();
      const items = await compose(this.engine, trx, storeName, spec);
      const snapshot: Snapshot = {
        name: spec.name,
        status: 'ready',
        filters: spec.filters,
        compositionType: spec.compositionType,
        created: now,
        expires: null,
        retentionPeriod: spec.retentionPeriod,
        size: items.reduce((total, kv) => total + keyValueSize(kv), 0),
        itemsCount: items.length,
        tags: spec.tags,
        description: spec.description,
        etag: newEtag(),
        operationId: randomUUID(),
      };
      await trx.write(INSERT, [
        storeName,
        snapshot.name,
        snapshot.status,
        JSON.stringify(snapshot.filters),
        snapshot.compositionType,
        snapshot.created,
        snapshot.expires,
        snapshot.retentionPeriod,
        snapshot.size,
        snapshot.itemsCount,
        JSON.stringify(snapshot.tags),
        this.engine.rows.storedText(snapshot.description),
        snapshot.etag,
        snapshot.operationId,
      ]);
      for (const [position, kv] of items.entries()) {
        await trx.write(INSERT_ITEM, [storeName, snapshot.name, position, ...this.engine.rows.params(kv)]);
      }
      return snapshot;
    });
  }

  /** A page of the snapshot's key-values, from `position` on. */
  async items(
    storeName: string,
    name: string,
    options: { position: number; limit: number },
  ): Promise<KeyValue[]> {
    const rows = await this.engine.reads.rows<KeyValueRow>(ITEMS, [
      storeName,
      name,
      options.position,
      this.engine.limit(options.limit),
    ]);
    return rows.map((row) => this.engine.rows.toKeyValue(row));
  }

  /**
   * Archive (`archived`: kept for the retention period, then purged) or recover (`ready`).
   * Asking for the status it already has changes nothing; other transitions are invalid.
   */
  async setStatus(
    storeName: string,
    name: string,
    target: 'archived' | 'ready',
    check?: (existing: Snapshot | undefined) => void,
  ): Promise<Snapshot> {
    return this.change(storeName, async (trx) => {
      const now = nowSeconds();
      await trx.write(PURGE, [storeName, now]);
      const row = await queryRow<SnapshotRow>(trx, GET, [storeName, name, now]);
      const existing = row && toSnapshot(row, this.engine.rows);
      check?.(existing);
      if (!existing) throw appConfigErrors.notFound();
      if (existing.status === target) return existing;
      const from = target === 'archived' ? 'ready' : 'archived';
      if (existing.status !== from) throw appConfigErrors.invalidState();
      const updated: Snapshot = {
        ...existing,
        status: target,
        expires: target === 'archived' ? now + existing.retentionPeriod : null,
        etag: newEtag(),
      };
      await trx.write(UPDATE_STATUS, [updated.status, updated.expires, updated.etag, storeName, name]);
      return updated;
    });
  }

  private async change<T>(storeName: string, work: (trx: WriteSql) => Promise<T>): Promise<T> {
    const result = await this.engine.write([storeName], work);
    this.stamp.bump();
    return result;
  }
}
