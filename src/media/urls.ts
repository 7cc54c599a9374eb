import { containerOf, guidOf } from './ids.js';

/**
 * Where an account's surfaces answer, on the origin the client called: the REST API, the blob
 * containers SAS locators name, and the default streaming endpoint that origin locators name.
 * Computed per request, never stored, as the management API computes the API endpoint.
 */
export class AccountUrls {
  /** Where the account's surfaces hang: its own origin, or its path on Tessera's origin. */
  readonly root: string;
  readonly api: string;
  readonly blob: string;
  readonly streaming: string;
  readonly keyDelivery: string;

  /**
   * @param ownOrigin the account's own origin (`https://localhost:<its port>`) when the client
   *   addressed it so; otherwise the surfaces are path-style below `origin`.
   */
  constructor(
    readonly origin: string,
    readonly account: string,
    ownOrigin?: string,
  ) {
    this.root = ownOrigin ?? `${origin}/media/${account}`;
    this.api = `${this.root}/api/`;
    this.blob = `${this.root}/blob`;
    this.streaming = `${this.root}/streaming`;
    this.keyDelivery = `${this.root}/keydelivery`;
  }

  container(assetId: string): string {
    return `${this.blob}/${containerOf(assetId)}`;
  }

  originLocatorPath(locatorId: string): string {
    return `${this.streaming}/${guidOf(locatorId) ?? ''}/`;
  }

  entity(set: string, id: string): string {
    return `${this.api}${set}('${encodeURIComponent(id)}')`;
  }
}
