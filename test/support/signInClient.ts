import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Application } from '../../src/directory/model.js';
import { FORM, postForm, tokenUrl } from './authority.js';
import type { TestServer } from './server.js';
import { PASSWORD } from './users.js';

/** RFC 7636 S256 pair. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const authorizeUrl = (
  t: TestServer,
  params: Record<string, string>,
  options: { tenant?: string; version?: 1 | 2 } = {},
): string =>
  `${t.origin}/${options.tenant ?? t.tenant.id}/oauth2/${options.version === 1 ? '' : 'v2.0/'}authorize?${new URLSearchParams(params).toString()}`;

const unescape = (text: string): string =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replaceAll('&amp;', '&');

export interface PageResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

/** The `value` of the text input with this id, as the page pre-fills it (unescaped). */
export function inputValue(page: PageResponse, id: string): string | undefined {
  const input = new RegExp(`<input[^>]*\\sid="${id}"[^>]*>`).exec(page.text)?.[0];
  const value = input && /\svalue="([^"]*)"/.exec(input)?.[1];
  return value === undefined ? undefined : unescape(value);
}

/** The first form of a page: its action and every hidden input. */
export function formOf(page: PageResponse): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="([^"]*)"/.exec(page.text);
  assert.ok(form?.[1] !== undefined, `no form on the page: ${page.status} ${page.text.slice(0, 400)}`);
  const fields: Record<string, string> = {};
  for (const input of page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) {
    if (input[1] !== undefined) fields[input[1]] = unescape(input[2] ?? '');
  }
  return { action: unescape(form[1]), fields };
}

/**
 * A scripted browser over fetch: it keeps cookies, never follows redirects, and submits forms
 * the way a browser would. For protocol tests that need no rendering.
 */
export class PageClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly t: TestServer) {}

  private cookieHeader(): Record<string, string> {
    const value = [...this.cookies].map(([name, v]) => `${name}=${v}`).join('; ');
    return value ? { cookie: value } : {};
  }

  private async read(response: Response): Promise<PageResponse> {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get('location'),
    };
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.read(
      await fetch(url, { redirect: 'manual', headers: { ...this.cookieHeader(), ...headers } }),
    );
  }

  async post(url: string, fields: Record<string, string>): Promise<PageResponse> {
    const target = new URL(url, this.t.origin).href;
    return this.read(
      await fetch(target, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': FORM, ...this.cookieHeader() },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  }

  /** Submits the page's form with `fields` added (typed values, a button's action). */
  async submit(page: PageResponse, fields: Record<string, string>): Promise<PageResponse> {
    const form = formOf(page);
    return this.post(form.action, { ...form.fields, ...fields });
  }

  /** Signs in on the page `authorize` shows. */
  async signIn(page: PageResponse, username: string, password = PASSWORD): Promise<PageResponse> {
    return this.submit(page, { username, password });
  }
}

/** The authorization response's fields: from the redirect's query, or from the form_post page. */
export function responseFields(page: PageResponse): Record<string, string> {
  if (page.location) {
    const url = new URL(page.location);
    // response_mode=fragment answers after '#', query (the default) in the search.
    return Object.fromEntries(url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams);
  }
  assert.match(
    page.text,
    /Signing you in/,
    `not an authorization response: ${page.status} ${page.text.slice(0, 300)}`,
  );
  return formOf(page).fields;
}

export function codeOf(page: PageResponse): string {
  const fields = responseFields(page);
  assert.ok(fields.code, `no code in ${JSON.stringify(fields)}`);
  return fields.code;
}

/** A token request redeeming a code, as msal-node sends it. */
export function redeemCode(
  t: TestServer,
  fields: Record<string, string>,
  tenant = t.tenant.id,
): Promise<Response> {
  return postForm(tokenUrl(t, tenant), { grant_type: 'authorization_code', client_info: '1', ...fields });
}

export interface WebApp {
  application: Application;
  secret: string;
}

/** A confidential web app with `web` redirect URIs and a client secret. */
export async function registerWebApp(
  t: TestServer,
  displayName: string,
  redirectUris: string[],
): Promise<WebApp> {
  const { directory } = t.server.tessera;
  const { application } = await directory.registerApplication(t.tenant, {
    displayName,
    webRedirectUris: redirectUris,
  });
  const { secretText } = await directory.credentials.addPassword(application);
  return { application, secret: secretText };
}
