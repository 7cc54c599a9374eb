import { mediaErrors } from '../errors.js';
import type { AccountUrls } from '../urls.js';

/** ContentKeyDeliveryType (SDK 4.x). None names no delivery service, so it has no URL. */
export const KeyDeliveryType = {
  None: 0,
  PlayReadyLicense: 1,
  BaselineHttp: 2,
  Widevine: 3,
  FairPlay: 4,
} as const;

/**
 * Where the account's key delivery service would answer: `<origin>/media/<account>/keydelivery`,
 * in the place of the service's `https://<account>.keydelivery.<region>.media.azure.net`.
 * NOTE: no key delivery service is implemented here. These URLs are what `GetKeyDeliveryUrl`
 * answered, so clients that store them or write them into manifests work, but nothing serves
 * them: a player that fetches one gets the server's 404.
 */
export const keyDeliveryBase = (urls: AccountUrls): string => urls.keyDelivery;

/**
 * The URL for one content key and delivery type, shaped as the service's: BaselineHttp (AES
 * envelope) `…/?KID=<guid>`, PlayReady `…/PlayReady/` (the license request carries the key id),
 * Widevine `…/Widevine/?KID=<guid>`, FairPlay `…/FairPlay/?KID=<guid>`.
 */
export function keyDeliveryUrl(urls: AccountUrls, keyGuid: string, keyDeliveryType: unknown): string {
  const base = keyDeliveryBase(urls);
  switch (keyDeliveryType) {
    case KeyDeliveryType.PlayReadyLicense:
      return `${base}/PlayReady/`;
    case KeyDeliveryType.BaselineHttp:
      return `${base}/?KID=${keyGuid}`;
    case KeyDeliveryType.Widevine:
      return `${base}/Widevine/?KID=${keyGuid}`;
    case KeyDeliveryType.FairPlay:
      return `${base}/FairPlay/?KID=${keyGuid}`;
    case undefined:
    case null:
      throw mediaErrors.badRequest("The required parameter 'keyDeliveryType' is missing.");
    default:
      throw mediaErrors.badRequest(
        `The value ${JSON.stringify(keyDeliveryType)} of the parameter 'keyDeliveryType' has no key delivery URL; use 1 (PlayReadyLicense), 2 (BaselineHttp), 3 (Widevine) or 4 (FairPlay).`,
      );
  }
}
