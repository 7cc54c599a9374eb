import { accountTile, hiddenFields } from './components.js';
import type { AccountView } from './components.js';
import { html } from './html.js';
import { layout } from './layout.js';
import type { PageTenant } from './layout.js';

export interface AccountPickerView {
  action: string;
  flow: string;
  csrf: string;
  tenant: PageTenant | undefined;
  appName: string;
  account: AccountView;
}

/** prompt=select_account: continue as the signed-in person, or sign in as someone else. */
export function accountPickerPage(view: AccountPickerView, nonce: string): string {
  return layout({
    title: 'Pick an account',
    nonce,
    tenant: view.tenant,
    body: html`<h1>Pick an account</h1>
      <p class="lead">to continue to <strong>${view.appName}</strong></p>
      <form method="post" action="${view.action}">
        ${hiddenFields({ flow: view.flow, csrf: view.csrf })}
        ${accountTile(view.account, { name: 'action', value: 'continue' })}
        <div class="actions split">
          <button type="submit" class="link" name="action" value="other">Use another account</button>
        </div>
      </form>`,
  });
}
