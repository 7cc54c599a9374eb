import { createHash } from 'node:crypto';
import type { MediaAccounts } from '../accounts.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { allowedProtocols } from '../entities/assetDeliveryPolicies.js';
import { LocatorType } from '../entities/locators.js';
import { containerOf, guidOf, newId } from '../ids.js';
import type { MediaEntities } from '../persistence/mediaEntities.js';
import type { LocatorResolver, Resolution, StreamingAsset, StreamingFile } from '../streaming/index.js';

/** Azure allowed this much clock skew at a locator's start. */
const START_SKEW_MS = 5 * 60 * 1000;
/** An asset's files are listed at most this often per asset, unless a blob was committed. */
const FILES_TTL_MS = 2000;
/** Containers (and assets) whose listing is remembered; past it, the memo starts again. */
const MAX_REMEMBERED = 10_000;

/** One listing of a container: its files and the version they make. */
interface Listing {
  files: readonly StreamingFile[];
  version: string;
}

type Protocols = StreamingAsset['protocols'];

const sameProtocols = (a: Protocols, b: Protocols): boolean =>
  a.smooth === b.smooth && a.dash === b.dash && a.hls === b.hls && a.progressive === b.progressive;

/**
 * The streaming endpoint's view of an origin locator: its asset's files (from its container),
 * the protocols the asset's delivery policies allow, and a version that moves when the files do.
 * Expired or not yet started locators, SAS locators and unknown ones are all a 404, as the
 * origin answered.
 *
 * Every request resolves its locator: the locator, its times and the delivery policies are read
 * from the in-memory view each time (a deleted locator or a new policy applies at once), while
 * the container's listing and its version are kept for FILES_TTL_MS (or until a blob of the
 * container is committed), and the asset object stays the same while neither changes, so that
 * what is derived from it downstream can be remembered.
 */
export class OriginLocators implements LocatorResolver {
  private readonly listings = new Map<string, { at: number; listing: Promise<Listing> }>();
  /** By account and asset id: the asset object last handed out, reused while its version and protocols hold. */
  private readonly assets = new Map<string, { listing: Listing; asset: StreamingAsset }>();

  constructor(
    private readonly accounts: MediaAccounts,
    private readonly entities: MediaEntities,
    private readonly blobs: BlobStore,
  ) {}

  /** A blob of the container was written: its listing is stale. */
  changed(container: string): void {
    this.listings.delete(container);
  }

  async resolve(accountName: string, locatorGuid: string): Promise<Resolution> {
    if (!/^[0-9a-f-]{36}$/i.test(locatorGuid)) return { kind: 'notFound' };
    const account = await this.accounts.find(accountName);
    if (!account) return { kind: 'notFound' };
    const id = newId('lid', locatorGuid.toLowerCase());
    let view = await this.entities.view(account.name);
    let locator = view.get('Locators', id);
    // A locator the view lacks may be one another process has just created.
    if (!locator) {
      view = await this.entities.currentView(account.name);
      locator = view.get('Locators', id);
    }
    if (!locator || locator.Type !== LocatorType.OnDemandOrigin) return { kind: 'notFound' };
    const now = Date.now();
    const start = locator.StartTime as number | null;
    if ((start !== null && start - START_SKEW_MS > now) || (locator.ExpirationDateTime as number) <= now) {
      return { kind: 'notFound' };
    }
    const assetId = locator.AssetId as string;
    const listing = await this.listing(containerOf(assetId));
    const protocols = allowedProtocols(view, assetId);
    const key = `${account.name}\0${assetId}`;
    const known = this.assets.get(key);
    if (
      known &&
      (known.listing === listing || known.listing.version === listing.version) &&
      sameProtocols(known.asset.protocols, protocols)
    ) {
      return { kind: 'ok', asset: known.asset };
    }
    const asset: StreamingAsset = {
      assetKey: guidOf(assetId) ?? assetId,
      files: listing.files,
      protocols,
      version: listing.version,
    };
    if (this.assets.size >= MAX_REMEMBERED) this.assets.clear();
    this.assets.set(key, { listing, asset });
    return { kind: 'ok', asset };
  }

  private listing(container: string): Promise<Listing> {
    const cached = this.listings.get(container);
    if (cached && Date.now() - cached.at < FILES_TTL_MS) return cached.listing;
    const listing = this.blobs.list(container).then(async (blobs) => {
      const files: StreamingFile[] = await Promise.all(
        blobs.map(async (b) => ({
          name: b.name,
          size: b.size,
          lastModified: b.lastModified,
          path: await this.blobs.localPath(container, b.name),
        })),
      );
      // The content's own path names its version (a blob's data file is never rewritten).
      const version = createHash('sha256')
        .update(files.map((f) => `${f.name}:${f.size}:${f.path}`).join('\n'))
        .digest('hex')
        .slice(0, 16);
      return { files, version };
    });
    if (this.listings.size >= MAX_REMEMBERED) this.listings.clear();
    this.listings.set(container, { at: Date.now(), listing });
    listing.catch(() => {
      if (this.listings.get(container)?.listing === listing) this.listings.delete(container);
    });
    return listing;
  }
}
