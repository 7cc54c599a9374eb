import { alertBox, hiddenFields } from './components.js';
import type { PageError } from './components.js';
import { html } from './html.js';
import { layout } from './layout.js';
import type { PageTenant } from './layout.js';

export interface SignInView {
  /** Where the form posts (`/{tenant}/login`). */
  action: string;
  /** The pending sign-in and its CSRF token. */
  flow: string;
  csrf: string;
  tenant: PageTenant | undefined;
  appName: string;
  /** Pre-filled: the login_hint, or what the person typed before an error. */
  username: string;
  error?: PageError & { field: 'username' | 'password' };
}

/** Username and password on one card, the app that asks named above them. */
export function signInPage(view: SignInView, nonce: string): string {
  const { error } = view;
  const invalid = (field: 'username' | 'password') => (error?.field === field ? 'true' : 'false');
  const describedBy = (field: 'username' | 'password') => (error?.field === field ? 'page-error' : null);
  const focusUsername = view.username === '' || error?.field === 'username';
  return layout({
    title: 'Sign in',
    nonce,
    tenant: view.tenant,
    body: html`<h1>Sign in</h1>
      <p class="lead"><strong>${view.appName}</strong> wants to sign you in.</p>
      ${error ? alertBox(error) : ''}
      <form method="post" action="${view.action}" novalidate>
        ${hiddenFields({ flow: view.flow, csrf: view.csrf, action: 'password' })}
        <div class="field">
          <label for="username">Username</label>
          <input
            type="text"
            id="username"
            name="username"
            value="${view.username}"
            inputmode="email"
            autocomplete="username"
            autocapitalize="off"
            spellcheck="false"
            placeholder="someone@example.com"
            aria-required="true"
            aria-invalid="${invalid('username')}"
            ${describedBy('username') ? html` aria-describedby="page-error"` : ''}${focusUsername ? html` autofocus` : ''}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            type="password"
            id="password"
            name="password"
            autocomplete="current-password"
            aria-required="true"
            aria-invalid="${invalid('password')}"
            ${describedBy('password') ? html` aria-describedby="page-error"` : ''}${focusUsername ? '' : html` autofocus`}
          />
        </div>
        <div class="actions"><button type="submit" class="primary">Sign in</button></div>
      </form>`,
  });
}
