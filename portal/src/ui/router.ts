import { useEffect, useState } from 'preact/hooks';

/** The portal's own paths live under /portal/; the server answers index.html for all of them. */
export const BASE = '/portal/';

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

/** The screen a path names; later screens (IAM, Entra, App Configuration, Media) add theirs here. */
export type Screen = { name: 'home' } | { name: 'notFound'; path: string };

export function screenOf(path: string): Screen {
  if (path === BASE || path === '/portal' || path === `${BASE}index.html`) return { name: 'home' };
  return { name: 'notFound', path };
}
