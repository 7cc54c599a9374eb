import { html, raw } from './html.js';
import type { Html } from './html.js';

const ERROR_ICON = raw(
  `<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path fill="currentColor" d="M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm0 9.75a.9.9 0 1 0 0 1.8.9.9 0 0 0 0-1.8ZM8 4a.75.75 0 0 0-.75.75v4a.75.75 0 0 0 1.5 0v-4A.75.75 0 0 0 8 4Z"/></svg>`,
);

const STATUS_ICONS = {
  ok: raw(
    `<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M9.5 16.6 4.9 12l-1.4 1.4 6 6 11-11-1.4-1.4z"/></svg>`,
  ),
  bad: raw(
    `<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="m6.4 5 5.6 5.6L17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z"/></svg>`,
  ),
  info: raw(
    `<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M11 7h2v2h-2zm0 4h2v6h-2zm1-9a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16z"/></svg>`,
  ),
};

export interface PageError {
  message: string;
  /** The AADSTS code, shown small for support. */
  code?: number;
}

/** An error announced to screen readers as soon as the page shows it. */
export const alertBox = (error: PageError, id = 'page-error'): Html =>
  html`<div class="alert" role="alert" id="${id}">
    ${ERROR_ICON}
    <div>
      ${error.message}${
        error.code !== undefined ? html`<span class="code-ref">Error code: AADSTS${error.code}</span>` : ''
      }
    </div>
  </div>`;

export const statusIcon = (kind: keyof typeof STATUS_ICONS): Html =>
  html`<div class="status ${kind}">${STATUS_ICONS[kind]}</div>`;

export const hiddenFields = (fields: Readonly<Record<string, string>>): Html =>
  html`${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}`;

const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('') || '?';

export interface AccountView {
  displayName: string;
  userPrincipalName: string;
}

/** The signed-in person, as a tile (a button when it is a choice). */
export const accountTile = (account: AccountView, button?: { name: string; value: string }): Html => {
  const inner = html`<span class="avatar" aria-hidden="true">${initials(account.displayName)}</span
    ><span class="who"
      ><strong>${account.displayName}</strong><span>${account.userPrincipalName}</span></span
    >`;
  return button
    ? html`<button type="submit" class="account" name="${button.name}" value="${button.value}">
        ${inner}
      </button>`
    : html`<div class="account">${inner}</div>`;
};
