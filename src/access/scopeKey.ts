/** ARM compares scopes case-insensitively, and a trailing slash names the same scope. */
export const scopeKey = (scope: string): string => {
  const key = scope.trim().replace(/\/+$/, '').toLowerCase();
  return key === '' ? '/' : key;
};

/**
 * The scope and every scope above it, most specific first: `/subscriptions/s/resourcegroups/g`
 * → itself, `/subscriptions/s/resourcegroups`, `/subscriptions/s`, `/subscriptions`, `/`.
 * Non-scope prefixes cost a map miss each and keep this free of ARM's path grammar.
 */
export function scopeKeyAndAncestors(key: string): string[] {
  const keys: string[] = [];
  let end = key.length;
  while (end > 0) {
    keys.push(key.slice(0, end));
    end = key.lastIndexOf('/', end - 1);
  }
  keys.push('/');
  return keys;
}
