import { useEffect, useState } from 'preact/hooks';

/** The portal's own paths live under /portal/; the server answers index.html for all of them. */
export const BASE = '/portal/';

/** The path and query: a screen's parameters (IAM's scope) travel in the query. */
const here = (): string => location.pathname + location.search;

export function usePath(): string {
  const [path, setPath] = useState(here());
  useEffect(() => {
    const update = () => setPath(here());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

/** Moves to one of the portal's own paths without reloading (the token cache stays warm). */
export function navigate(href: string): void {
  history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** Access control of an ARM scope: a query parameter, since resource names may hold dots. */
export const iamHref = (scope: string): string => `${BASE}iam?scope=${encodeURIComponent(scope)}`;

/** Microsoft Entra ID's screens, one per kind of directory object (and the sign-in log). */
export const ENTRA_SECTIONS = [
  'users',
  'groups',
  'applications',
  'enterpriseApplications',
  'managedIdentities',
  'signIns',
] as const;
export type EntraSection = (typeof ENTRA_SECTIONS)[number];

/** A section of Microsoft Entra ID; `id` opens one object of it. */
export const entraHref = (section: EntraSection, id?: string): string =>
  `${BASE}entra/${section}${id ? `?id=${encodeURIComponent(id)}` : ''}`;

/** The App Configuration explorer of a store, by its ARM resource id. */
export const appConfigHref = (storeId: string): string =>
  `${BASE}appconfig?store=${encodeURIComponent(storeId)}`;

export const MEDIA_TABS = ['assets', 'jobs', 'live'] as const;
export type MediaTab = (typeof MEDIA_TABS)[number];

/** A Media Services account's screens, by its ARM resource id. */
export const mediaHref = (accountId: string, tab: MediaTab = 'assets'): string =>
  `${BASE}media?account=${encodeURIComponent(accountId)}&tab=${tab}`;

/** The screen a path names. */
export type Screen =
  | { name: 'home' }
  | { name: 'iam'; scope: string }
  | { name: 'entra'; section: EntraSection; id: string | undefined }
  | { name: 'appconfig'; store: string }
  | { name: 'media'; account: string; tab: MediaTab }
  | { name: 'notFound'; path: string };

const isOneOf = <T extends string>(values: readonly T[], value: string | null | undefined): value is T =>
  values.includes(value as T);

export function screenOf(path: string): Screen {
  const url = new URL(path, location.origin);
  const { pathname } = url;
  if (pathname === BASE || pathname === '/portal' || pathname === `${BASE}index.html`)
    return { name: 'home' };
  const query = url.searchParams;
  if (pathname === `${BASE}iam`) return { name: 'iam', scope: query.get('scope') ?? '' };
  if (pathname === `${BASE}entra` || pathname === `${BASE}entra/`)
    return { name: 'entra', section: 'users', id: undefined };
  const section = pathname.startsWith(`${BASE}entra/`) ? pathname.slice(`${BASE}entra/`.length) : undefined;
  if (isOneOf(ENTRA_SECTIONS, section)) return { name: 'entra', section, id: query.get('id') ?? undefined };
  if (pathname === `${BASE}appconfig`) return { name: 'appconfig', store: query.get('store') ?? '' };
  if (pathname === `${BASE}media`) {
    const tab = query.get('tab');
    return {
      name: 'media',
      account: query.get('account') ?? '',
      tab: isOneOf(MEDIA_TABS, tab) ? tab : 'assets',
    };
  }
  return { name: 'notFound', path };
}
