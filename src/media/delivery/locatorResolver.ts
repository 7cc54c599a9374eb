import { createHash } from 'node:crypto';
import type { MediaAccounts } from '../accounts.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { allowedProtocols } from '../entities/assetDeliveryPolicies.js';
import { LocatorType } from '../entities/locators.js';
import { containerOf, guidOf, newId } from '../ids.js';
import type { MediaEntities } from '../persistence/mediaEntities.js';
import type { LocatorResolver, Resolution, StreamingFile } from '../streaming/index.js';

/** Azure allowed this much clock skew at a locator's start. */
const START_SKEW_MS = 5 * 60 * 1000;
/** An asset's files are listed at most this often per asset, unless a blob was committed. */
const FILES_TTL_MS = 2000;

/**
 * The streaming endpoint's view of an origin locator: its asset's files (from its container),
 * the protocols the asset's delivery policies allow, and a version that moves when the files do.
 * Expired or not yet started locators, SAS locators and unknown ones are all a 404, as the
 * origin answered.
 */
export class OriginLocators implements LocatorResolver {
  private readonly files = new Map<string, { at: number; files: Promise<StreamingFile[]> }>();

  constructor(
    private readonly accounts: MediaAccounts,
    private readonly entities: MediaEntities,
    private readonly blobs: BlobStore,
  ) {}

  /** A blob of the container was written: its listing is stale. */
  changed(container: string): void {
    this.files.delete(container);
  }

  async resolve(accountName: string, locatorGuid: string): Promise<Resolution> {
    if (!/^[0-9a-f-]{36}$/i.test(locatorGuid)) return { kind: 'notFound' };
    const account = await this.accounts.find(accountName);
    if (!account) return { kind: 'notFound' };
    const view = await this.entities.view(account.name);
    const locator = view.get('Locators', newId('lid', locatorGuid.toLowerCase()));
    if (!locator || locator.Type !== LocatorType.OnDemandOrigin) return { kind: 'notFound' };
    const now = Date.now();
    const start = locator.StartTime as number | null;
    if ((start !== null && start - START_SKEW_MS > now) || (locator.ExpirationDateTime as number) <= now) {
      return { kind: 'notFound' };
    }
    const assetId = locator.AssetId as string;
    const files = await this.listFiles(containerOf(assetId));
    const version = createHash('sha256')
      .update(files.map((f) => `${f.name}:${f.size}`).join('\n'))
      .digest('hex')
      .slice(0, 16);
    return {
      kind: 'ok',
      asset: {
        assetKey: guidOf(assetId) ?? assetId,
        files,
        protocols: allowedProtocols(view, assetId),
        version,
      },
    };
  }

  private listFiles(container: string): Promise<StreamingFile[]> {
    const cached = this.files.get(container);
    if (cached && Date.now() - cached.at < FILES_TTL_MS) return cached.files;
    const files = this.blobs.list(container).then((blobs) =>
      Promise.all(
        blobs.map(async (b) => ({
          name: b.name,
          size: b.size,
          path: await this.blobs.localPath(container, b.name),
        })),
      ),
    );
    if (this.files.size > 10_000) this.files.clear();
    this.files.set(container, { at: Date.now(), files });
    files.catch(() => this.files.delete(container));
    return files;
  }
}
