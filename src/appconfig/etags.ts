import { createHash, randomBytes } from 'node:crypto';

/** A new entity tag in the service's shape: 27 URL-safe characters. */
export const newEtag = (): string => randomBytes(20).toString('base64url');

/** A stable tag for a list page: it changes whenever an item of the page (or the page's extent) does. */
export function pageEtag(itemEtags: readonly string[], hasMore: boolean): string {
  const hash = createHash('sha256');
  for (const etag of itemEtags) hash.update(etag).update('\n');
  hash.update(hasMore ? 'more' : 'end');
  return hash.digest('base64url').slice(0, 27);
}
