import type { AadstsError } from '../errors.js';
import { alertBox } from './components.js';
import { html } from './html.js';
import { layout } from './layout.js';

export interface ErrorView {
  error: AadstsError;
  requestId: string;
  correlationId: string;
  timestamp: string;
}

/**
 * Errors that must not go back to the client (unknown app, unregistered redirect URI: sending
 * them there would make Tessera an open redirector), with Entra's troubleshooting details.
 * Server errors show the generic text only.
 */
export function errorPage(view: ErrorView, nonce: string): string {
  const { error } = view;
  return layout({
    title: 'Sign-in error',
    nonce,
    body: html`<h1>Sorry, but we’re having trouble signing you in.</h1>
      ${alertBox({ message: error.description, code: error.code })}
      <dl class="details">
        <dt>Request Id</dt>
        <dd>${view.requestId}</dd>
        <dt>Correlation Id</dt>
        <dd>${view.correlationId}</dd>
        <dt>Timestamp</dt>
        <dd>${view.timestamp}</dd>
      </dl>`,
  });
}
