/**
 * Token audiences a store accepts (seed 004 and the SDKs' defaults):
 *  - `https://appconfig.azure.com` and `https://azconfig.io`: what @azure/app-configuration asks
 *    for by default (also App Configuration's app id, the v2 form);
 *  - `{store}.<domain>` (with or without https://, with a port if the endpoint has one): must be
 *    exactly the request's Host header, case included;
 *  - `*.<domain>`: any store.
 * `<domain>` is Azure's `azconfig.io`, or `azconfig.localhost` for Tessera's own store host names.
 */
const CLOUD_AUDIENCES = new Set(['https://appconfig.azure.com', 'https://azconfig.io']);
const APP_CONFIGURATION_APP_ID = '35ffadb3-7fc1-497e-b61b-381d28e744cc';
const WILDCARD = /^\*\.azconfig\.(?:io|localhost)(?::\d{1,5})?$/i;
const STORE_HOST = /^[^.*/]+\.azconfig\.(?:io|localhost)(?::\d{1,5})?$/i;

export function isAcceptedAudience(aud: string, host: string | undefined): boolean {
  const bare = aud.replace(/\/+$/, '');
  if (CLOUD_AUDIENCES.has(bare.toLowerCase()) || bare.toLowerCase() === APP_CONFIGURATION_APP_ID) return true;
  const hostPart = bare.startsWith('https://') ? bare.slice('https://'.length) : bare;
  if (WILDCARD.test(hostPart)) return true;
  return STORE_HOST.test(hostPart) && hostPart === host;
}
