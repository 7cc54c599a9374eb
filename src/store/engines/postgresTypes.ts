import pg from 'pg';

/** PostgreSQL's type OIDs (pg_type.oid) whose text form is parsed here. */
const OID = { bool: 16, int8: 20, numeric: 1700 } as const;

/**
 * Values read from PostgreSQL in the shapes schema.ts gives them, which are SQLite's: epoch
 * seconds and milliseconds (bigint columns), counts and sums are numbers, a boolean expression is
 * 1 or 0. node-postgres leaves int8 and numeric as strings (they may exceed 2^53) and booleans as
 * true/false. Text, integers and bytea (a Buffer) need nothing. Per pool, not node-postgres'
 * global parsers, so nothing else in the process changes.
 */
export function storeTypes(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(OID.int8, parseSafeInteger);
  types.setTypeParser(OID.numeric, Number);
  types.setTypeParser(OID.bool, (text: string) => (text === 't' ? 1 : 0));
  return types;
}

function parseSafeInteger(text: string): number {
  const value = Number(text);
  // A value a number cannot hold exactly is corruption or a bug here; never round it silently.
  if (!Number.isSafeInteger(value))
    throw new RangeError(`bigint ${text} does not fit in a JavaScript number`);
  return value;
}
