import { DataTypeNode, OperationNodeTransformer, sql } from 'kysely';
import type {
  ColumnDefinitionNode,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/** Text compared and sorted byte by byte, whatever the database's default collation. */
const BYTE_ORDERED_TEXT = sql`text collate "C"`.toOperationNode();

/**
 * The migrations declare their columns once, for both engines. Two things SQLite does with a
 * string column PostgreSQL does not, so on PostgreSQL every `varchar(n)` and `text` column the
 * schema builder declares becomes `text collate "C"`:
 *  - SQLite never enforces a varchar's length, and the code was written against that: a sign-in
 *    with a 400-character user name is logged there, and must not become a 500 here;
 *  - SQLite compares and sorts text by bytes (BINARY), which is the order listings are paged in
 *    (App Configuration's keys, ARM's names) and what `lower()` folds (ASCII only): the "C"
 *    collation does the same, where a database's default (say en_US.UTF-8) would not.
 * SQL written by hand in a migration (triggers, `sql.raw`) is not rewritten.
 */
class ByteOrderedText extends OperationNodeTransformer {
  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const transformed = super.transformColumnDefinition(node);
    const { dataType } = transformed;
    if (DataTypeNode.is(dataType) && /^(varchar(\(\d+\))?|text)$/.test(dataType.dataType)) {
      return { ...transformed, dataType: BYTE_ORDERED_TEXT };
    }
    return transformed;
  }
}

/** Applied to the migrations' connection on PostgreSQL only. */
export class PostgresColumnTypes implements KyselyPlugin {
  private readonly transformer = new ByteOrderedText();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
