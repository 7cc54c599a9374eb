import type { TagFilter } from '../filters/filterSyntax.js';
import type { KeyValueChanges } from './keyValueChanges.js';
import type { KeyValueRows } from './rows.js';
import type { Sql, WriteSql } from './sql.js';

/** What differs between the engines, and only that: the queries themselves are shared. */
export interface AppConfigEngine {
  /** Reads outside any transaction. */
  readonly reads: Sql;
  /** Rows to and from key-values, in the form this engine stores text. */
  readonly rows: KeyValueRows;
  /** How a key-value's change is written (its revision and current state). */
  readonly changes: KeyValueChanges;
  /**
   * Runs `work` as one atomic write touching the stores named, and settles once it has
   * committed; any error rolls all of it back. Writes to one store are serialised across
   * processes from before `work`'s first read until commit, so the checks it makes (preconditions,
   * locks) see every earlier write, and revisions' sequence numbers follow commit order.
   */
  write<T>(stores: readonly string[], work: (trx: WriteSql) => Promise<T>): Promise<T>;
  /** Asks the database: a value that moves whenever the data plane's data may have changed. */
  readStamp(): Promise<string>;
  /** Without asking: a count that moves when another process announced a change (0 when none can). */
  notices(): number;
  /** A condition that the JSON object in `column` has the tag's name with the tag's value. */
  tagCondition(column: string, tag: TagFilter): { clause: string; params: unknown[] };
  /** The parameter of `LIMIT ?` for at most `limit` rows; -1 is no limit. */
  limit(limit: number): number | null;
}
