/**
 * Token audiences a store accepts (seed 004 and the SDKs' defaults):
 *  - `https://appconfig.azure.com` and `https://azconfig.io`: what @azure/app-configuration asks
 *    for by default (also App Configuration's app id, the v2 form);
 *  - `{store}.<domain>` (with or without https://, with a port if the endpoint has one): must be
 *    exactly the request's Host header, case included;
 *  - `*.<domain>`: any store.
 * `<domain>` is Azure's `azconfig.io`, or `azconfig.localhost` for Tessera's own store host names;
 *  - the store's own origin (below).
 */
const CLOUD_AUDIENCES = new Set(['https://appconfig.azure.com', 'https://azconfig.io']);
const APP_CONFIGURATION_APP_ID = '35ffadb3-7fc1-497e-b61b-381d28e744cc';
const WILDCARD = /^\*\.azconfig\.(?:io|localhost)(?::\d{1,5})?$/i;
const STORE_HOST = /^[^.*/]+\.azconfig\.(?:io|localhost)(?::\d{1,5})?$/i;

/**
 * A store's own origin, `https://<host>:<port>` (the endpoint ARM prints), names that store alone:
 * accepted when it is exactly the request's Host and its port is the store's.
 */
const ORIGIN_HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i;

export function isAcceptedAudience(aud: string, host: string | undefined, storePort: number | null): boolean {
  const bare = aud.replace(/\/+$/, '');
  if (CLOUD_AUDIENCES.has(bare.toLowerCase()) || bare.toLowerCase() === APP_CONFIGURATION_APP_ID) return true;
  const hostPart = bare.startsWith('https://') ? bare.slice('https://'.length) : bare;
  if (WILDCARD.test(hostPart)) return true;
  if (STORE_HOST.test(hostPart)) return hostPart === host;
  const port = ORIGIN_HOST.exec(hostPart)?.[1];
  return (
    port !== undefined &&
    storePort !== null &&
    Number(port) === storePort &&
    hostPart.toLowerCase() === host?.toLowerCase()
  );
}
