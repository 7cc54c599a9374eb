import { appConfigErrors } from '../errors.js';

interface Parameter {
  /** Lower-cased and percent-decoded: the SDKs send `%24select` and `After`. */
  name: string;
  value: string;
  /** The pair as it arrived, for next links. */
  raw: string;
}

function decode(text: string, name: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw appConfigErrors.invalidArgument(name, `${name}: Invalid percent-encoding`);
  }
}

/**
 * The query string, parsed the way the service does: names case-insensitive, values
 * percent-decoded once with `+` kept as it is (the SDKs do not form-encode, so a `+` in a key
 * filter is a plus), repeated parameters kept in order.
 */
export class QueryParameters {
  private constructor(private readonly parameters: readonly Parameter[]) {}

  static fromUrl(url: string): QueryParameters {
    const at = url.indexOf('?');
    if (at < 0) return new QueryParameters([]);
    const parameters: Parameter[] = [];
    for (const raw of url.slice(at + 1).split('&')) {
      if (raw === '') continue;
      const equals = raw.indexOf('=');
      const rawName = equals < 0 ? raw : raw.slice(0, equals);
      const name = decode(rawName, rawName).toLowerCase();
      parameters.push({ name, value: equals < 0 ? '' : decode(raw.slice(equals + 1), name), raw });
    }
    return new QueryParameters(parameters);
  }

  all(name: string): string[] {
    return this.parameters.filter((p) => p.name === name).map((p) => p.value);
  }

  one(name: string): string | undefined {
    return this.parameters.find((p) => p.name === name)?.value;
  }

  has(name: string): boolean {
    return this.parameters.some((p) => p.name === name);
  }

  /** The query as received, less some parameters (a next link replaces `after`). */
  rawWithout(name: string): string {
    return this.parameters
      .filter((p) => p.name !== name)
      .map((p) => p.raw)
      .join('&');
  }
}
