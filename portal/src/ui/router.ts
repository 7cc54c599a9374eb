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

/** The screen a path names; later screens (Entra, App Configuration, Media) add theirs here. */
export type Screen = { name: 'home' } | { name: 'iam'; scope: string } | { name: 'notFound'; path: string };

export function screenOf(path: string): Screen {
  const url = new URL(path, location.origin);
  const { pathname } = url;
  if (pathname === BASE || pathname === '/portal' || pathname === `${BASE}index.html`)
    return { name: 'home' };
  if (pathname === `${BASE}iam`) return { name: 'iam', scope: url.searchParams.get('scope') ?? '' };
  return { name: 'notFound', path };
}
