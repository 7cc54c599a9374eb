/**
 * Azure action strings match case-insensitively and a star stands for any run of characters,
 * anywhere: a lone star, "star/read", "Microsoft.Authorization/star/Write". Compiled matchers
 * are cached: a deployment has a few hundred distinct patterns at most.
 */
const compiled = new Map<string, RegExp>();

function matcherFor(pattern: string): RegExp {
  const key = pattern.toLowerCase();
  let regex = compiled.get(key);
  if (!regex) {
    const body = key
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${body}$`);
    compiled.set(key, regex);
  }
  return regex;
}

/** `operation` must already be lower-cased (the engine does it once per check). */
export function actionMatches(pattern: string, operation: string): boolean {
  if (pattern === '*') return true;
  return matcherFor(pattern).test(operation);
}

export const anyMatches = (patterns: readonly string[], operation: string): boolean =>
  patterns.some((p) => actionMatches(p, operation));
