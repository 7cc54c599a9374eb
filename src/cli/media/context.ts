import type { Command } from 'commander';
import type { ApiSession } from '../../media/api/types.js';
import { MediaError } from '../../media/errors.js';
import { guidOf, newId } from '../../media/ids.js';
import { WebhookNotifier } from '../../media/jobs/notifications.js';
import { MediaData, entityPath, odataString } from '../../media/mediaData.js';
import type { WireEntity } from '../../media/mediaData.js';
import type { MediaServicesAccount } from '../../management/mediaServices.js';
import { TesseraError, isGuid } from '../../errors.js';
import type { ServerOptions } from '../armContext.js';
import { withServerOption } from '../armContext.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printWarning } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, withTessera } from '../options.js';

/** `-a <account>` (names are global, as the v2 endpoints), `-g` to check its group, `--server`. */
export interface MediaOptions extends DataOptions, ServerOptions {
  accountName: string;
  resourceGroup?: string;
}

/** One command's access to an account's data: the API session and the ARM account it belongs to. */
export interface MediaContext {
  data: MediaData;
  session: ApiSession;
  account: MediaServicesAccount;
}

/** A data-plane command: works on the data folder, whether or not a server runs on it. */
export const mediaCommand = (parent: Command, name: string, description: string): Command =>
  withServerOption(dataCommand(parent, name, description))
    .requiredOption('-a, --account-name <name>', 'Name of the Media Services account.')
    .option('-g, --resource-group <name>', "The account's resource group (checked when given).");

/** `--server` is where clients will reach the URLs printed: an https or http origin. */
function originOf(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(
      `--server '${server}' is not a URL; expected an origin such as https://localhost:8443.`,
    );
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new UsageError(`--server '${server}' is not an origin; expected e.g. https://localhost:8443.`);
  }
  return url.origin;
}

/**
 * Opens the data folder, finds the account and runs `work` with an API session on it. Webhook
 * messages the work causes (a job canceled here) are sent before the command ends, tried once.
 */
export async function withMedia<T>(
  io: CliIo,
  options: MediaOptions,
  work: (ctx: MediaContext) => Promise<T>,
): Promise<T> {
  const origin = originOf(options.server);
  return withTessera(options, async (tessera) => {
    const name = options.accountName;
    const account = await tessera.mediaServices.findByName(name);
    const group = options.resourceGroup;
    if (!account || (group !== undefined && account.resourceGroup.toLowerCase() !== group.toLowerCase())) {
      throw new TesseraError(
        'ResourceNotFound',
        `The Media Services account '${name}' was not found${group !== undefined ? ` in the resource group '${group}'` : ''}.`,
      );
    }
    const notifier = new WebhookNotifier({
      retries: 0,
      timeoutMs: 5000,
      log: (entry) => printWarning(io, `webhook: ${(entry as { msg?: string }).msg ?? 'failed'}`),
    });
    const data = new MediaData({
      db: tessera.db,
      mediaDir: tessera.mediaDir,
      accounts: tessera.mediaServices,
      subscriptions: tessera.subscriptions,
      events: notifier,
      report: (error) => printWarning(io, error instanceof Error ? error.message : String(error)),
    });
    try {
      const session = await data.session(account.name, origin);
      return await work({ data, session, account });
    } finally {
      await notifier.drain();
      notifier.close();
    }
  });
}

/** The entity at a key, or undefined when the API answers 404. */
export async function findEntity(
  ctx: MediaContext,
  set: string,
  id: string,
): Promise<WireEntity | undefined> {
  try {
    return await ctx.data.entity(ctx.session, 'GET', entityPath(set, id));
  } catch (error) {
    if (error instanceof MediaError && error.status === 404) return undefined;
    throw error;
  }
}

/** A key given as `nb:<kind>:UUID:<guid>` or as the bare guid. */
function keyOf(reference: string, kind: string): string | undefined {
  const trimmed = reference.trim();
  if (guidOf(trimmed, kind) !== undefined) return newId(kind, guidOf(trimmed, kind));
  if (isGuid(trimmed)) return newId(kind, trimmed.toLowerCase());
  return undefined;
}

/**
 * `--asset`: an asset id (`nb:cid:UUID:…`, its guid, or its container `asset-<guid>`), else its
 * name. Names are not unique in v2: a name two assets share is refused, with their ids.
 */
export async function resolveAsset(ctx: MediaContext, reference: string): Promise<WireEntity> {
  const container = /^asset-([0-9a-f-]{36})$/i.exec(reference.trim())?.[1];
  const id = keyOf(container ?? reference, 'cid');
  if (id !== undefined) {
    const asset = await findEntity(ctx, 'Assets', id);
    if (asset) return asset;
  }
  const named = await ctx.data.list(ctx.session, `Assets?$filter=Name eq ${odataString(reference)}`);
  const [first, second] = named;
  if (first && !second) return first;
  if (first) {
    throw new TesseraError(
      'AmbiguousAsset',
      `${named.length} assets of the account '${ctx.account.name}' are named '${reference}': give an id (${named
        .map((a) => String(a.Id))
        .join(', ')}).`,
    );
  }
  throw new TesseraError(
    'AssetNotFound',
    `The asset '${reference}' was not found in the Media Services account '${ctx.account.name}'.`,
  );
}

/** `--job`: `nb:jid:UUID:…` or its guid. */
export async function resolveJob(ctx: MediaContext, reference: string): Promise<WireEntity> {
  const id = keyOf(reference, 'jid');
  const job = id === undefined ? undefined : await findEntity(ctx, 'Jobs', id);
  if (!job) {
    throw new TesseraError(
      'JobNotFound',
      `The job '${reference}' was not found in the Media Services account '${ctx.account.name}'.`,
    );
  }
  return job;
}

/** `--locator`: `nb:lid:UUID:…` or its guid. */
export async function resolveLocator(ctx: MediaContext, reference: string): Promise<WireEntity> {
  const id = keyOf(reference, 'lid');
  const locator = id === undefined ? undefined : await findEntity(ctx, 'Locators', id);
  if (!locator) {
    throw new TesseraError(
      'LocatorNotFound',
      `The locator '${reference}' was not found in the Media Services account '${ctx.account.name}'.`,
    );
  }
  return locator;
}
