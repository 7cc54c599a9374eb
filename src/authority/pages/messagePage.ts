import { statusIcon } from './components.js';
import { html } from './html.js';
import { layout } from './layout.js';
import type { PageTenant } from './layout.js';

export interface MessageView {
  title: string;
  heading: string;
  text: string;
  kind: 'ok' | 'bad' | 'info';
  tenant?: PageTenant | undefined;
}

/** A closing page: signed in on the device, sign-in cancelled, signed out. */
export function messagePage(view: MessageView, nonce: string): string {
  return layout({
    title: view.title,
    nonce,
    tenant: view.tenant,
    body: html`${statusIcon(view.kind)}
      <h1>${view.heading}</h1>
      <p class="lead">${view.text}</p>`,
  });
}
