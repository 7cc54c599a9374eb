import { accountTile, hiddenFields } from './components.js';
import type { AccountView } from './components.js';
import { html } from './html.js';
import { layout } from './layout.js';
import type { PageTenant } from './layout.js';

export interface ConfirmView {
  action: string;
  flow: string;
  csrf: string;
  tenant: PageTenant | undefined;
  appName: string;
  account: AccountView;
  /** `device`: the device-code question; `consent`: prompt=consent's permission list. */
  kind: 'device' | 'consent';
  /** What the app gets, for the consent question. */
  permissions?: readonly string[];
}

/**
 * The last question before a grant: "Are you trying to sign in to …?" for a device code (so a
 * code phished from someone else is not approved blindly), or the permissions for prompt=consent.
 */
export function confirmPage(view: ConfirmView, nonce: string): string {
  const device = view.kind === 'device';
  return layout({
    title: device ? 'Confirm sign-in' : 'Permissions requested',
    nonce,
    tenant: view.tenant,
    body: html`<h1>
        ${device ? html`Are you trying to sign in to ${view.appName}?` : 'Permissions requested'}
      </h1>
      ${
        device
          ? html`<p class="lead">
              Only continue if you downloaded the app from a store or website that you trust, and you started
              this sign-in on your device yourself.
            </p>`
          : html`<p class="lead"><strong>${view.appName}</strong> would like to:</p>
              <ul class="lead">
                ${(view.permissions ?? []).map((p) => html`<li>${p}</li>`)}
              </ul>`
      }
      ${accountTile(view.account)}
      <form method="post" action="${view.action}">
        ${hiddenFields({ flow: view.flow, csrf: view.csrf })}
        <div class="actions">
          <button type="submit" class="secondary" name="action" value="cancel">Cancel</button
          ><button type="submit" class="primary" name="action" value="continue">
            ${device ? 'Continue' : 'Accept'}
          </button>
        </div>
      </form>
      ${device ? html`<p class="notice">If you did not start a sign-in on a device, select Cancel: someone may be trying to use your account.</p>` : ''}`,
  });
}
