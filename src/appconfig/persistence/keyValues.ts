import { nowSeconds } from '../../clock.js';
import type { Store } from '../../store/database.js';
import { appConfigErrors } from '../errors.js';
import { newEtag } from '../etags.js';
import { checkKeyValueInput, sameContent } from '../keyValueRules.js';
import type { KeyValue, KeyValueInput } from '../model.js';
import { DataStamp } from './dataStamp.js';
import { appConfigEngine } from './engine.js';
import { GroupCommit } from './groupCommit.js';
import { KEY_VALUE_COLUMNS, labelColumn } from './rows.js';
import type { KeyValueRow, RevisionRow } from './rows.js';
import { StoreSequences } from './sequences.js';
import type { AppConfigEngine } from './engineContract.js';
import type { Sql, WriteSql } from './sql.js';
import { queryRow } from './sql.js';
import { Conditions, addStringFilter, addTagFilters } from './sqlFilters.js';
import type { KeyValueQuery } from './sqlFilters.js';

/** A precondition (If-Match / If-None-Match) checked against the current item inside the write. */
export type WriteCheck = (existing: KeyValue | undefined) => void;

export interface ListOptions {
  /** Epoch seconds: the state as it was then (Accept-Datetime). */
  asOf?: number;
  after?: { key: string; label: string | null };
  /** -1: no limit. */
  limit: number;
}

const CURRENT = `SELECT ${KEY_VALUE_COLUMNS} FROM appconfig_key_values WHERE store_name = ? AND key = ? AND label = ?`;
const AS_OF =
  `SELECT ${KEY_VALUE_COLUMNS}, seq, deleted FROM appconfig_revisions ` +
  'WHERE store_name = ? AND key = ? AND label = ? AND last_modified <= ? ORDER BY seq DESC LIMIT 1';

/**
 * Where a listing reads from: the current table, or — for a point in time — each key-value's
 * latest revision at or before it, provided that revision is not a deletion.
 */
function source(
  storeName: string,
  asOf: number | undefined,
): { prefix: string; params: unknown[]; table: string } {
  if (asOf === undefined) return { prefix: '', params: [], table: 'appconfig_key_values' };
  return {
    prefix:
      `WITH as_of AS (SELECT store_name, ${KEY_VALUE_COLUMNS} FROM appconfig_revisions r ` +
      'WHERE r.store_name = ? AND r.deleted = 0 AND r.seq = (SELECT max(r2.seq) FROM appconfig_revisions r2 ' +
      'WHERE r2.store_name = r.store_name AND r2.key = r.key AND r2.label = r.label AND r2.last_modified <= ?)) ',
    params: [storeName, asOf],
    table: 'as_of',
  };
}

/** The key-values of configuration stores, with every change recorded as a revision. */
export class KeyValues {
  private readonly engine: AppConfigEngine;
  private readonly writes: GroupCommit;

  constructor(
    db: Store,
    /** Told of every committed write, so cached reads of this process never outlive it. */
    private readonly stamp = new DataStamp(db),
    readonly sequences = new StoreSequences(db),
  ) {
    this.engine = appConfigEngine(db);
    this.writes = new GroupCommit(this.engine);
  }

  async get(
    storeName: string,
    key: string,
    label: string | null,
    asOf?: number,
  ): Promise<KeyValue | undefined> {
    const { engine } = this;
    if (asOf === undefined) return current(engine, engine.reads, storeName, key, label);
    const row = await queryRow<RevisionRow>(engine.reads, AS_OF, [storeName, key, labelColumn(label), asOf]);
    return row && Number(row.deleted) === 0 ? engine.rows.toKeyValue(row) : undefined;
  }

  /** One page in key, then label order; `limit + 1` rows tell whether another page follows. */
  list(storeName: string, query: KeyValueQuery, options: ListOptions): Promise<KeyValue[]> {
    return listKeyValues(this.engine, this.engine.reads, storeName, query, options);
  }

  /** Distinct keys in order, after `after`. */
  async keys(
    storeName: string,
    name: KeyValueQuery['key'],
    options: { asOf?: number; after?: string; limit: number },
  ): Promise<string[]> {
    const from = source(storeName, options.asOf);
    const where = new Conditions().add('kv.store_name = ?', storeName);
    addStringFilter(where, 'kv.key', name, options.after);
    if (options.after !== undefined) where.add('kv.key > ?', options.after);
    const text = `${from.prefix}SELECT DISTINCT kv.key AS name FROM ${from.table} kv WHERE 1 = 1${where.sql} ORDER BY kv.key LIMIT ?`;
    const rows = await this.engine.reads.rows<{ name: string }>(text, [
      ...from.params,
      ...where.params,
      this.engine.limit(options.limit),
    ]);
    return rows.map((r) => r.name);
  }

  /** Distinct labels in order (the null label first), after `after`. */
  async labels(
    storeName: string,
    name: KeyValueQuery['label'],
    options: { asOf?: number; after?: string | null; limit: number },
  ): Promise<Array<string | null>> {
    const from = source(storeName, options.asOf);
    const where = new Conditions().add('kv.store_name = ?', storeName);
    addStringFilter(where, 'kv.label', name);
    if (options.after !== undefined) where.add('kv.label > ?', labelColumn(options.after));
    const text = `${from.prefix}SELECT DISTINCT kv.label AS name FROM ${from.table} kv WHERE 1 = 1${where.sql} ORDER BY kv.label LIMIT ?`;
    const rows = await this.engine.reads.rows<{ name: string }>(text, [
      ...from.params,
      ...where.params,
      this.engine.limit(options.limit),
    ]);
    return rows.map((r) => (r.name === '' ? null : r.name));
  }

  /** Creates or replaces a key-value (PUT). Locked key-values refuse; identical content is a no-op. */
  async set(storeName: string, input: KeyValueInput, check?: WriteCheck): Promise<KeyValue> {
    checkKeyValueInput(input);
    return this.change(storeName, (trx, revisions) =>
      setOne(this.engine, trx, revisions, storeName, input, check),
    );
  }

  /**
   * Several writes in a transaction of their own (an import): all of them happen, or none — a
   * locked key-value late in the list undoes the earlier ones, so this cannot share a batch.
   */
  async setMany(storeName: string, inputs: readonly KeyValueInput[]): Promise<KeyValue[]> {
    inputs.forEach(checkKeyValueInput);
    const revisions: number[] = [];
    const written = await this.engine.write([storeName], async (trx) => {
      const all: KeyValue[] = [];
      for (const input of inputs) all.push(await setOne(this.engine, trx, revisions, storeName, input));
      return all;
    });
    this.committed(storeName, revisions);
    return written;
  }

  /** Deletes a key-value and returns it as it was; undefined when there was none. */
  async delete(
    storeName: string,
    key: string,
    label: string | null,
    check?: WriteCheck,
  ): Promise<KeyValue | undefined> {
    return this.change(storeName, async (trx, revisions) => {
      const existing = await current(this.engine, trx, storeName, key, label);
      check?.(existing);
      if (!existing) return undefined;
      if (existing.locked) throw appConfigErrors.keyLocked(key);
      const tombstone: KeyValue = {
        ...existing,
        value: null,
        contentType: null,
        description: null,
        tags: {},
        lastModified: nowSeconds(),
      };
      revisions.push(await this.engine.changes.remove(trx, storeName, this.engine.rows.params(tombstone)));
      return existing;
    });
  }

  /** Locks (read-only) or unlocks a key-value: a change like any other, with a new etag. */
  async setLocked(
    storeName: string,
    key: string,
    label: string | null,
    locked: boolean,
    check?: WriteCheck,
  ): Promise<KeyValue> {
    return this.change(storeName, async (trx, revisions) => {
      const existing = await current(this.engine, trx, storeName, key, label);
      check?.(existing);
      if (!existing) throw appConfigErrors.notFound();
      if (existing.locked === locked) return existing;
      return write(this.engine, trx, revisions, storeName, {
        ...existing,
        locked,
        etag: newEtag(),
        lastModified: nowSeconds(),
      });
    });
  }

  /**
   * One write, in a transaction shared with concurrent ones (see GroupCommit: it checks before
   * it writes); once committed, the store's counter moves.
   */
  private async change<T>(
    storeName: string,
    work: (trx: WriteSql, revisions: number[]) => Promise<T>,
  ): Promise<T> {
    let revisions: number[] = [];
    const result = await this.writes.run(storeName, (trx) => {
      revisions = []; // a batch that failed runs its jobs again
      return work(trx, revisions);
    });
    this.committed(storeName, revisions);
    return result;
  }

  private committed(storeName: string, revisions: readonly number[]): void {
    if (revisions.length === 0) return;
    this.stamp.bump();
    this.sequences.advance(
      storeName,
      revisions.reduce((a, b) => Math.max(a, b)),
    );
  }
}

/** A listing on any connection (a snapshot reads inside its own write transaction). */
export async function listKeyValues(
  engine: AppConfigEngine,
  sql: Sql,
  storeName: string,
  query: KeyValueQuery,
  options: ListOptions,
): Promise<KeyValue[]> {
  const from = source(storeName, options.asOf);
  const where = new Conditions().add('kv.store_name = ?', storeName);
  addStringFilter(where, 'kv.key', query.key, options.after?.key);
  addStringFilter(where, 'kv.label', query.label);
  addTagFilters(where, engine, 'kv.tags', query.tags);
  if (options.after)
    where.add('(kv.key, kv.label) > (?, ?)', options.after.key, labelColumn(options.after.label));
  const text =
    `${from.prefix}SELECT ${KEY_VALUE_COLUMNS} FROM ${from.table} kv WHERE 1 = 1${where.sql} ` +
    'ORDER BY kv.key, kv.label LIMIT ?';
  const rows = await sql.rows<KeyValueRow>(text, [
    ...from.params,
    ...where.params,
    engine.limit(options.limit),
  ]);
  return rows.map((row) => engine.rows.toKeyValue(row));
}

async function current(
  engine: AppConfigEngine,
  sql: Sql,
  storeName: string,
  key: string,
  label: string | null,
): Promise<KeyValue | undefined> {
  const row = await queryRow<KeyValueRow>(sql, CURRENT, [storeName, key, labelColumn(label)]);
  return row && engine.rows.toKeyValue(row);
}

async function setOne(
  engine: AppConfigEngine,
  trx: WriteSql,
  revisions: number[],
  storeName: string,
  input: KeyValueInput,
  check?: WriteCheck,
): Promise<KeyValue> {
  const existing = await current(engine, trx, storeName, input.key, input.label);
  check?.(existing);
  if (existing?.locked) throw appConfigErrors.keyLocked(input.key);
  if (existing && sameContent(existing, input)) return existing;
  return write(engine, trx, revisions, storeName, {
    ...input,
    locked: false,
    etag: newEtag(),
    lastModified: nowSeconds(),
  });
}

/** The new state, and its revision. */
async function write(
  engine: AppConfigEngine,
  trx: WriteSql,
  revisions: number[],
  storeName: string,
  kv: KeyValue,
): Promise<KeyValue> {
  revisions.push(await engine.changes.put(trx, storeName, engine.rows.params(kv)));
  return kv;
}
