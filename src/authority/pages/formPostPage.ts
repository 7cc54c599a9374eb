import { hiddenFields } from './components.js';
import { html } from './html.js';
import { layout } from './layout.js';

export interface FormPostView {
  redirectUri: string;
  fields: Readonly<Record<string, string>>;
  appName: string;
}

/**
 * response_mode=form_post (OAuth 2.0 Form Post Response Mode): the answer travels in a POST body,
 * never in a URL. The one inline script submits the form; it runs under the response's CSP
 * nonce, and the button covers browsers with scripts turned off.
 */
export function formPostPage(view: FormPostView, nonce: string): string {
  return layout({
    title: 'Signing in',
    nonce,
    body: html`<div class="spinner" role="presentation"></div>
      <h1>Signing you in…</h1>
      <p class="lead">Returning to <strong>${view.appName}</strong>.</p>
      <form method="post" action="${view.redirectUri}" id="response">
        ${hiddenFields(view.fields)}
        <noscript
          ><div class="actions"><button type="submit" class="primary">Continue</button></div></noscript
        >
      </form>`,
    script: "document.getElementById('response').submit()",
  });
}
