/** One file of an asset, as the origin reads it. */
export interface StreamingFile {
  /** The asset file's name (the last segment of a progressive download URL). */
  name: string;
  /** A local file ffmpeg can read. Its content must not change while it has this path. */
  path: string;
  size: number;
  /**
   * Epoch ms of the content, when the resolver knows it: progressive downloads then answer from
   * the listing without a stat per request.
   */
  lastModified?: number;
}

/** What a streaming locator gives access to. */
export interface StreamingAsset {
  /** Stable across requests (the asset's guid): names the packaging cache. */
  assetKey: string;
  files: readonly StreamingFile[];
  /** From the asset's AssetDeliveryPolicies. */
  protocols: { smooth: boolean; dash: boolean; hls: boolean; progressive: boolean };
  /** Bumped when the asset's files change, so a cache built from older files is not served. */
  version: string;
}

export type Resolution =
  { kind: 'ok'; asset: StreamingAsset } | { kind: 'notFound' } | { kind: 'forbidden'; reason: string };

/** Turns a URL's account and locator guid into an asset; expired or future locators are notFound. */
export interface LocatorResolver {
  resolve(account: string, locatorGuid: string): Promise<Resolution>;
}

/** The packaged forms of an asset, one cache directory each. */
export type PackageFormat = 'hls-fmp4' | 'hls-ts' | 'dash' | 'smooth';

export type DeliveryProtocol = keyof StreamingAsset['protocols'];

export const protocolOf = (format: PackageFormat): DeliveryProtocol =>
  format === 'dash' ? 'dash' : format === 'smooth' ? 'smooth' : 'hls';

/** A client-visible failure: the origin answers small plain-text errors. */
export class StreamingError extends Error {
  override readonly name = 'StreamingError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
