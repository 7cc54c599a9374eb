import { mediaErrors } from '../errors.js';
import { guidOf } from '../ids.js';
import type { RuleContext } from '../entities/rules.js';
import { readFunctionParameter } from '../odata/literals.js';
import type { AccountView } from '../persistence/accountView.js';
import type { AccountUrls } from '../urls.js';
import { decodeBase64 } from './base64.js';
import { keyDeliveryUrl } from './keyDelivery.js';
import { certificateProblem, wrapForCertificate } from './keyWrap.js';
import { decryptWithProtectionKey, protectionKey, protectionKeyId } from './protectionKeys.js';

/**
 * The v2 API's content protection operations, each reading its own parameters and answering the
 * Edm.String the service answered; the caller serializes it (`{"odata.metadata":"…#Edm.String",
 * "value":…}`). Parameter names match case-insensitively: the SDK sends `protectionKeyId`, the
 * reference documents `ProtectionKeyId`.
 */

/** `GET GetProtectionKeyId?contentKeyType=N`: may mint the account's key pair in the caller's unit of work. */
export function getProtectionKeyId(ctx: RuleContext, query: URLSearchParams): Promise<string> {
  const type = readFunctionParameter(query, 'contentKeyType', 'Edm.Int32') as number;
  return protectionKeyId(ctx, type);
}

/** `GET GetProtectionKey?ProtectionKeyId='<thumbprint>'`: the base64 DER certificate; 404 for a thumbprint the account does not have. */
export function getProtectionKey(view: AccountView, query: URLSearchParams): string {
  const thumbprint = readFunctionParameter(query, 'ProtectionKeyId', 'Edm.String') as string;
  const certificate = protectionKey(view, thumbprint);
  if (certificate === undefined) {
    throw mediaErrors.notFound(`The account has no protection key with thumbprint '${thumbprint}'.`);
  }
  return certificate;
}

/** The clear key of a stored content key. A stored key that no longer unwraps is the server's fault, not the client's. */
function clearKeyOf(view: AccountView, id: string): Buffer {
  const key = view.get('ContentKeys', id);
  if (!key) throw mediaErrors.entityNotFound('ContentKeys', id);
  const ciphertext = decodeBase64(String(key.EncryptedContentKey ?? ''));
  try {
    if (!ciphertext) throw new Error('not base64');
    return decryptWithProtectionKey(view, String(key.ProtectionKeyId ?? ''), ciphertext);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The stored content key '${id}' cannot be unwrapped: ${reason}`);
  }
}

/**
 * `GET RebindContentKey?id='…'&x509Certificate='…'`: the content key wrapped (RSA-OAEP, SHA-1) to
 * the given certificate, base64; with `x509Certificate=''` the clear key, base64, as the service
 * answered (the SDK's `GetClearKeyValue`). The certificate is base64 DER, URL-encoded (the SDK's
 * `HttpUtility.UrlEncode(Convert.ToBase64String(cert.Export(Cert)))`); PEM armour is tolerated.
 */
export function rebindContentKey(view: AccountView, query: URLSearchParams): string {
  const id = readFunctionParameter(query, 'id', 'Edm.String') as string;
  const certificateText = readFunctionParameter(query, 'x509Certificate', 'Edm.String') as string;
  let der: Buffer | undefined;
  if (certificateText.trim() !== '') {
    der = decodeBase64(certificateText.replace(/-----(BEGIN|END) CERTIFICATE-----/g, ''), true);
    const problem = der ? certificateProblem(der) : 'it is not base64.';
    if (!der || problem) {
      throw mediaErrors.badRequest(
        `The value of the parameter 'x509Certificate' is not usable: ${problem ?? ''}`,
      );
    }
  }
  const clear = clearKeyOf(view, id);
  try {
    if (!der) return clear.toString('base64');
    try {
      return wrapForCertificate(der, clear).toString('base64');
    } catch {
      throw mediaErrors.badRequest(
        "The value of the parameter 'x509Certificate' is not usable: its RSA key is too small to wrap the content key.",
      );
    }
  } finally {
    clear.fill(0);
  }
}

/**
 * `POST ContentKeys('…')/GetKeyDeliveryUrl` with `{"keyDeliveryType":N}` (the parameters as
 * `readActionParameters` gives them). The URL names a key delivery service this server does not
 * run (keyDelivery.ts).
 */
export function getKeyDeliveryUrl(
  view: AccountView,
  urls: AccountUrls,
  contentKeyId: string,
  parameters: Readonly<Record<string, unknown>>,
): string {
  const key = view.get('ContentKeys', contentKeyId);
  if (!key) throw mediaErrors.entityNotFound('ContentKeys', contentKeyId);
  const guid = guidOf(key.Id as string, 'kid');
  if (!guid) throw new Error(`The stored content key '${contentKeyId}' has no nb:kid: id.`);
  return keyDeliveryUrl(urls, guid, parameters.keyDeliveryType);
}
