import { mediaServicesV2Endpoint } from '../management/resources/mediaServicesApi.js';
import { containerOf, guidOf } from './ids.js';

/**
 * Where an account's surfaces answer, on the origin the client called: the REST API, the blob
 * containers SAS locators name, and the default streaming endpoint that origin locators name.
 * Computed per request, never stored, as the management API computes the API endpoint.
 */
export class AccountUrls {
  readonly api: string;
  readonly blob: string;
  readonly streaming: string;

  constructor(
    readonly origin: string,
    readonly account: string,
  ) {
    this.api = mediaServicesV2Endpoint(origin, account);
    this.blob = `${origin}/media/${account}/blob`;
    this.streaming = `${origin}/media/${account}/streaming`;
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
