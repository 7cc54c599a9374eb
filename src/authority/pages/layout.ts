import { html, raw } from './html.js';
import type { Html } from './html.js';
import { STYLES } from './styles.js';

/** Tessera's mark: a small mosaic of tiles (a tessera is one tile of a mosaic). */
const LOGO = raw(
  `<svg width="30" height="30" viewBox="0 0 30 30" aria-hidden="true" focusable="false">` +
    [
      ['0', '0', '#0f6cbd'],
      ['10.5', '0', '#2886de'],
      ['21', '0', '#6cb8f6'],
      ['0', '10.5', '#2886de'],
      ['10.5', '10.5', '#7048e8'],
      ['21', '10.5', '#0f6cbd'],
      ['0', '21', '#6cb8f6'],
      ['10.5', '21', '#0f6cbd'],
      ['21', '21', '#00a4a4'],
    ]
      .map(([x, y, fill]) => `<rect x="${x}" y="${y}" width="9" height="9" rx="2" fill="${fill}"/>`)
      .join('') +
    `</svg>`,
);

const BUILDING = raw(
  `<svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path fill="currentColor" d="M3 1.5h7a1 1 0 0 1 1 1V6h2a1 1 0 0 1 1 1v7.5H2V2.5a1 1 0 0 1 1-1Zm0 12h3v-2.5h2v2.5h2V2.5H3v11Zm8 0h2V7h-2v6.5ZM4.5 4h1.5v1.5H4.5V4Zm3 0H9v1.5H7.5V4Zm-3 3h1.5v1.5H4.5V7Zm3 0H9v1.5H7.5V7Z"/></svg>`,
);

export interface PageTenant {
  displayName: string;
  domain: string;
}

export interface PageContent {
  /** The document title, after "Tessera · ". */
  title: string;
  /** The CSP nonce of this response (style, and the one script of the form_post page). */
  nonce: string;
  /** The organisation the person signs in to, when known. */
  tenant?: PageTenant | undefined;
  body: Html;
  /** Only the form_post page has one. */
  script?: string;
}

/** The one page shell: head, the card with the brand and tenant, the footer. */
export function layout(page: PageContent): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="color-scheme" content="light" />
        <title>${page.title} · Tessera</title>
        <link rel="icon" href="data:," />
        <style nonce="${page.nonce}">
          ${raw(STYLES)}
        </style>
      </head>
      <body>
        <main>
          <div class="card">
            <div class="brand">${LOGO}<span class="wordmark">Tessera</span></div>
            ${page.tenant ? html`<p class="tenant">${BUILDING}<span>${page.tenant.displayName}</span><span class="domain">${page.tenant.domain}</span></p>` : ''}
            ${page.body}
          </div>
          <footer><span>Tessera identity platform</span><span>Entra ID–compatible sign-in</span></footer>
        </main>
        ${
          page.script
            ? html`<script nonce="${page.nonce}">
                ${raw(page.script)};
              </script>`
            : ''
        }
      </body>
    </html> `.markup;
}
