import { readFile, writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { ConfigurationData } from '../../appconfig/configurationData.js';
import { parseStringFilter } from '../../appconfig/filters/filterSyntax.js';
import { isoSeconds } from '../../appconfig/http/wireTime.js';
import { flattenJson, unflattenJson } from '../../appconfig/jsonFiles.js';
import type { KeyValue, KeyValueInput } from '../../appconfig/model.js';
import { TesseraError } from '../../errors.js';
import type { Tessera } from '../../tessera.js';
import { parseTagPairs } from '../armJson.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, parsePositiveInteger, withTessera } from '../options.js';

const FEATURE_FLAG_PREFIX = '.appconfig.featureflag/';

interface KvOptions extends DataOptions {
  name: string;
  key?: string;
  label?: string;
  yes?: boolean;
}

interface SetOptions extends KvOptions {
  key: string;
  value?: string;
  contentType?: string;
  tags?: string[];
}

interface ListOptions extends KvOptions {
  top: number;
  all?: boolean;
}

interface FileOptions extends KvOptions {
  path: string;
  format: string;
  separator?: string;
  source?: string;
  destination?: string;
}

/** az prints key-values with these fields (camelCase, the null label as null). */
export const azKeyValue = (kv: KeyValue) => ({
  contentType: kv.contentType,
  etag: kv.etag,
  key: kv.key,
  label: kv.label,
  lastModified: isoSeconds(kv.lastModified),
  locked: kv.locked,
  tags: kv.tags,
  value: kv.value,
});

/** The store by name (names are global), straight from the data folder: no server needed. */
async function storeNameLower(tessera: Tessera, name: string): Promise<string> {
  const store = await tessera.configurationStores.findByName(name);
  if (!store)
    throw new TesseraError('ResourceNotFound', `The App Configuration store '${name}' was not found.`);
  return store.name.toLowerCase();
}

/** `--label` on a single key-value: omitted (or `\0`) is the null label, as az. */
const itemLabel = (label: string | undefined): string | null =>
  label === undefined || label === '' || label === '\\0' || label === '\0' ? null : label;

function withData<T>(
  options: KvOptions,
  work: (data: ConfigurationData, store: string) => Promise<T>,
): Promise<T> {
  return withTessera(options, async (tessera) =>
    work(new ConfigurationData(tessera.db), await storeNameLower(tessera, options.name)),
  );
}

async function readPairs(options: FileOptions): Promise<Array<[string, string]>> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(options.path, 'utf8'));
  } catch {
    throw new TesseraError('InvalidFile', `The file '${options.path}' could not be read as JSON.`);
  }
  return flattenJson(document, options.separator);
}

function checkJsonFile(options: FileOptions, direction: 'source' | 'destination'): void {
  const kind = options[direction] ?? 'file';
  if (kind !== 'file') throw new UsageError(`--${direction} '${kind}' is not supported: only 'file'.`);
  if (options.format.toLowerCase() !== 'json') {
    throw new UsageError(`--format '${options.format}' is not supported: only 'json'.`);
  }
}

/**
 * `az appconfig kv …`: key-values written straight into the data folder, with revisions recorded
 * as the data plane records them, whether or not a server is running on it.
 */
export function registerAppConfigKv(appconfig: Command, io: CliIo): void {
  const kv = appconfig.command('kv').description('Manage key-values of an App Configuration store.');
  const kvCommand = (name: string, description: string) =>
    dataCommand(kv, name, description)
      .requiredOption('-n, --name <store>', 'Name of the App Configuration store.')
      .option('--label <label>', 'Label of the key-value (default: the null label).');
  const confirmable = (command: Command) =>
    command.option('-y, --yes', 'Do not prompt for confirmation (accepted for az scripts).');

  confirmable(kvCommand('set', 'Set a key-value (create or update).'))
    .requiredOption('--key <key>', 'Key.')
    .option('--value <value>', 'Value (default: the current value, or empty).')
    .option('--content-type <type>', 'Content type (default: the current one, or empty).')
    .option('--tags <pair...>', 'Space-separated tags: key[=value] (default: the current tags).')
    .action(async (options: SetOptions) => {
      const json = await withData(options, async (data, store) => {
        const label = itemLabel(options.label);
        // az keeps what is not given: an update of the value does not drop tags or content type.
        const existing = await data.keyValues.get(store, options.key, label);
        const input: KeyValueInput = {
          key: options.key,
          label,
          value: options.value ?? existing?.value ?? '',
          contentType: options.contentType ?? existing?.contentType ?? '',
          description: existing?.description ?? null,
          tags: parseTagPairs(options.tags) ?? existing?.tags ?? {},
        };
        return azKeyValue(await data.keyValues.set(store, input));
      });
      printJson(io, json);
    });

  kvCommand('show', 'Show a key-value.')
    .requiredOption('--key <key>', 'Key.')
    .action(async (options: KvOptions & { key: string }) => {
      const json = await withData(options, async (data, store) => {
        const found = await data.keyValues.get(store, options.key, itemLabel(options.label));
        if (!found)
          throw new TesseraError(
            'KeyValueNotFound',
            `Key '${options.key}' with label '${options.label ?? '\\0'}' does not exist.`,
          );
        return azKeyValue(found);
      });
      printJson(io, json);
    });

  kvCommand('list', 'List key-values (filters: `abc*`, `a,b`, `\\0` for the null label).')
    .option('--key <filter>', 'Key filter (default: all).')
    .addOption(
      new Option('--top <n>', 'At most this many (default 100).')
        .argParser(parsePositiveInteger)
        .default(100),
    )
    .option('--all', 'List every key-value.')
    .action(async (options: ListOptions) => {
      const json = await withData(options, async (data, store) => {
        const query = {
          key: parseStringFilter('key', options.key, { nullable: false }),
          label: parseStringFilter('label', options.label === '\\0' ? '\0' : options.label, {
            nullable: true,
          }),
          tags: [],
        };
        const rows = await data.keyValues.list(store, query, { limit: options.all ? -1 : options.top });
        return rows.map(azKeyValue);
      });
      printJson(io, json);
    });

  confirmable(kvCommand('delete', 'Delete a key-value.'))
    .requiredOption('--key <key>', 'Key.')
    .action(async (options: KvOptions & { key: string }) => {
      const json = await withData(options, async (data, store) => {
        const deleted = await data.keyValues.delete(store, options.key, itemLabel(options.label));
        return deleted ? [azKeyValue(deleted)] : [];
      });
      printJson(io, json);
    });

  for (const [name, locked] of [
    ['lock', true],
    ['unlock', false],
  ] as const) {
    confirmable(kvCommand(name, locked ? 'Make a key-value read-only.' : 'Make a key-value writable again.'))
      .requiredOption('--key <key>', 'Key.')
      .action(async (options: KvOptions & { key: string }) => {
        const json = await withData(options, async (data, store) =>
          azKeyValue(await data.keyValues.setLocked(store, options.key, itemLabel(options.label), locked)),
        );
        printJson(io, json);
      });
  }

  confirmable(kvCommand('import', 'Import key-values from a JSON file (all of them, or none).'))
    .option('-s, --source <type>', "Where from: only 'file'.", 'file')
    .requiredOption('--path <file>', 'The JSON file.')
    .option('--format <format>', "Only 'json'.", 'json')
    .option('--separator <char>', 'Flatten nested objects into keys joined by this.')
    .action(async (options: FileOptions) => {
      checkJsonFile(options, 'source');
      const pairs = await readPairs(options);
      const label = itemLabel(options.label);
      await withData(options, (data, store) =>
        data.keyValues.setMany(
          store,
          pairs.map(([key, value]) => ({
            key,
            label,
            value,
            contentType: null,
            description: null,
            tags: {},
          })),
        ),
      );
    });

  confirmable(kvCommand('export', 'Export key-values to a JSON file.'))
    .option('-d, --destination <type>', "Where to: only 'file'.", 'file')
    .addOption(new Option('-s, --source <type>').hideHelp())
    .requiredOption('--path <file>', 'The JSON file to write.')
    .option('--format <format>', "Only 'json'.", 'json')
    .option('--separator <char>', 'Rebuild nested objects from keys joined by this.')
    .option('--key <filter>', 'Key filter (default: all).')
    .action(async (options: FileOptions) => {
      checkJsonFile(options, 'destination');
      const rows = await withData(options, (data, store) =>
        data.keyValues.list(
          store,
          {
            key: parseStringFilter('key', options.key, { nullable: false }),
            label: parseStringFilter('label', options.label ?? '\0', { nullable: true }),
            tags: [],
          },
          { limit: -1 },
        ),
      );
      // Feature flags are not plain settings: az exports them separately.
      const pairs = rows
        .filter((row) => !row.key.startsWith(FEATURE_FLAG_PREFIX))
        .map((row): [string, string] => [row.key, row.value ?? '']);
      await writeFile(options.path, `${JSON.stringify(unflattenJson(pairs, options.separator), null, 2)}\n`);
    });
}
