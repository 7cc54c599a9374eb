import { pageCsp } from './headers.js';

/** The server's own pages when the app cannot answer: plain HTML, one hashed stylesheet. */
export interface ServerPage {
  status: number;
  csp: string;
  html: string;
}

const STYLE =
  'body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:2rem;color:#1b1b1f;background:#f6f7f9}' +
  'main{max-width:40rem;margin:10vh auto;background:#fff;border:1px solid #d6d9de;border-radius:8px;padding:1.5rem 2rem}' +
  'h1{font-size:1.4rem;margin:0 0 .75rem}code{font:14px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef0f3;padding:.1rem .3rem;border-radius:4px}';

const CSP = pageCsp(STYLE);

const page = (status: number, title: string, body: string): ServerPage => ({
  status,
  csp: CSP,
  html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${STYLE}</style></head><body><main><h1>${title}</h1>${body}</main></body></html>`,
});

/** No `dist/portal/index.html`: the server runs, the app was never built (a clean clone). */
export const NOT_BUILT = page(
  503,
  'The portal is not built',
  '<p>This server has no portal bundle. Build it with <code>npm run build</code> (or start the server with <code>npm start</code>, which builds first), then reload this page.</p>',
);

/** A file name under /portal/ that the bundle does not have (an old hashed asset, a typo). */
export const FILE_NOT_FOUND = page(
  404,
  'Not found',
  '<p>The portal has no such file. If you followed a link, the portal may have been updated since: open <a href="/portal/">the portal</a> again.</p>',
);
