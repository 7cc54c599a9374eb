import type { Application } from '../directory/model.js';
import { redirectPlatform } from './authorize/redirectUri.js';
import type { TokenRequest } from './context.js';
import { originOfRedirectUri } from './crossOrigin.js';
import { aadsts } from './errors.js';

/**
 * Entra's rules for a code's redemption, by where it comes from. A redirect URI registered only
 * for a single-page application is redeemed from the browser, cross-origin (9002327 otherwise);
 * a cross-origin redemption must be for a SPA redirect URI (9002326), from that URI's own origin,
 * and PKCE-bound (9002325), since the page holds no secret. Returns the SPA origin the tokens
 * are then bound to, or undefined for any other redemption.
 */
export function spaOriginOfCode(
  request: TokenRequest,
  application: Application,
  redirectUri: string,
  codeChallenge: string | null,
): string | undefined {
  const platform = redirectPlatform(application, redirectUri);
  const browser = request.crossOrigin;
  if (browser === undefined) {
    if (platform === 'spa') throw aadsts.spaRequiresCrossOrigin();
    return undefined;
  }
  if (platform === 'other') throw aadsts.crossOriginNotSpa(browser);
  const spaOrigin = originOfRedirectUri(redirectUri) ?? 'null';
  if (browser !== spaOrigin) throw aadsts.spaOriginMismatch(browser, spaOrigin);
  if (codeChallenge === null) throw aadsts.crossOriginPkceRequired();
  return spaOrigin;
}

/**
 * A refresh token keeps its sign-in's kind: a SPA's is redeemed only cross-origin from the SPA's
 * origin, any other never cross-origin.
 */
export function checkRefreshOrigin(request: TokenRequest, spaOrigin: string | null): void {
  const browser = request.crossOrigin;
  if (browser === undefined) {
    if (spaOrigin !== null) throw aadsts.spaRequiresCrossOrigin();
    return;
  }
  if (spaOrigin === null) throw aadsts.crossOriginNotSpa(browser);
  if (browser !== spaOrigin) throw aadsts.spaOriginMismatch(browser, spaOrigin);
}
