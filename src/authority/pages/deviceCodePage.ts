import { alertBox, hiddenFields } from './components.js';
import type { PageError } from './components.js';
import { html } from './html.js';
import { layout } from './layout.js';

export interface DeviceCodeView {
  csrf: string;
  /** What was typed, kept after an error. */
  code: string;
  error?: PageError;
}

/** The verification page of RFC 8628 (`/devicelogin`): the person types the code their device shows. */
export function deviceCodePage(view: DeviceCodeView, nonce: string): string {
  return layout({
    title: 'Enter code',
    nonce,
    body: html`<h1>Enter code</h1>
      <p class="lead">Enter the code displayed on your app or device to allow it to sign in.</p>
      ${view.error ? alertBox(view.error) : ''}
      <form method="post" action="/devicelogin" novalidate>
        ${hiddenFields({ csrf: view.csrf })}
        <div class="field">
          <label for="otc">Code</label>
          <input
            type="text"
            id="otc"
            name="otc"
            class="code"
            value="${view.code}"
            maxlength="16"
            autocomplete="one-time-code"
            autocapitalize="characters"
            spellcheck="false"
            aria-required="true"
            aria-invalid="${view.error ? 'true' : 'false'}"
            aria-describedby="${view.error ? 'page-error otc-hint' : 'otc-hint'}"
            autofocus
          />
          <p class="hint" id="otc-hint">
            Eight letters, for example BCDFGHJK. Dashes and spaces are ignored.
          </p>
        </div>
        <div class="actions"><button type="submit" class="primary">Next</button></div>
      </form>`,
  });
}
