/** What every dialect's serializer is given: shared by index.ts and the three writers. */

export interface SerializeContext {
  /** The API root with its trailing slash: `https://localhost:8443/media/acct/api/`. */
  apiRoot: string;
  /** The response's DataServiceVersion; verbose JSON writes `\/Date(ms)\/` below 3.0, ISO 8601 at 3.0. */
  dataServiceVersion: '1.0' | '2.0' | '3.0';
  /** Atom's `<updated>` time (epoch ms); the current time when absent. */
  now?: number;
}

export interface CollectionOptions {
  select?: readonly string[];
  /** `$inlinecount=allpages`: the count before paging. */
  count?: number;
  /** The absolute URL of the next page. */
  nextLink?: string;
  /** The path the collection was read from, relative to the API root (`Assets('…')/Files`); the set by default. */
  navigationSource?: string;
}

/** Where a `$links` answer comes from: `Assets` + `Files` for `Assets('…')/$links/Files`. */
export interface LinksSource {
  set: string;
  navigation: string;
  count?: number;
  nextLink?: string;
}
