import { join } from 'node:path';
import { originWithPort } from '../server/origins.js';
import type { Store } from '../store/database.js';
import { MediaAccounts } from './accounts.js';
import type { AccountDirectory, SubscriptionDirectory } from './accounts.js';
import { MediaApi } from './api/mediaApi.js';
import type { ApiResponse, ApiSession } from './api/types.js';
import { FileBlobStore } from './blobs/fileBlobStore.js';
import { containerSas } from './blobs/sas.js';
import type { RuleServices } from './entities/rules.js';
import { mediaErrors } from './errors.js';
import { MediaEntities } from './persistence/mediaEntities.js';
import { AccountUrls } from './urls.js';

export interface MediaDataOptions {
  db: Store;
  /** The server's media folder (Tessera.mediaDir): blobs live below `<mediaDir>/blobs`, as the server keeps them. */
  mediaDir: string;
  accounts: AccountDirectory;
  subscriptions: SubscriptionDirectory;
  /**
   * This process's job runner. Without one (the CLI, the portal), submitted jobs stay Queued in
   * the store for the server's runner, and a cancel only records the new state there.
   */
  jobs?: RuleServices['jobs'];
  /** Job state change notifications (webhooks); by default none are sent. */
  events?: RuleServices['events'];
  /** Failures after a commit (a container that could not be removed). */
  report?(error: unknown): void;
}

/** A minimal-JSON entity as the API answers it: PascalCase properties, ISO dates, Int64 as strings. */
export type WireEntity = Record<string, unknown>;

const JSON_HEADERS = {
  accept: 'application/json',
  'content-type': 'application/json',
  'x-ms-version': '2.19',
  dataserviceversion: '3.0',
  maxdataserviceversion: '3.0',
};

const NO_JOBS: RuleServices['jobs'] = { wake: () => undefined, cancel: () => undefined };
const NO_EVENTS: RuleServices['events'] = { publish: () => undefined };

/**
 * The Media Services v2 API on a data folder, without a server: the same entities, rules, blob
 * store and SAS signing the HTTP API uses, called with a session for an account (as an Owner of
 * it: whoever can open the data folder can change anything in it). Writes land in the shared
 * store and move its `media` change counter, so a server running on the same folder sees them
 * within MediaEntities' freshness window.
 */
export class MediaData {
  readonly entities: MediaEntities;
  readonly blobs: FileBlobStore;
  readonly accounts: MediaAccounts;
  readonly api: MediaApi;

  constructor(options: MediaDataOptions) {
    this.entities = new MediaEntities(options.db);
    this.accounts = new MediaAccounts(options.accounts, options.subscriptions);
    this.blobs = new FileBlobStore(join(options.mediaDir, 'blobs'));
    this.api = new MediaApi({
      entities: this.entities,
      rules: { blobs: this.blobs, jobs: options.jobs ?? NO_JOBS, events: options.events ?? NO_EVENTS },
      sas: (session, grant) => containerSas(session.account.name, grant, session.account.storageKey),
      report: options.report ?? (() => undefined),
    });
  }

  /** A session on `account`, answering in minimal JSON with URLs on `origin` (no trailing slash). */
  async session(account: string, origin: string): Promise<ApiSession> {
    const found = await this.accounts.find(account.toLowerCase());
    if (!found)
      throw mediaErrors.notFound(`The Media Services account '${account.slice(0, 64)}' does not exist.`);
    return {
      account: found,
      urls: new AccountUrls(
        origin,
        found.name,
        found.port === null ? undefined : originWithPort(origin, found.port),
      ),
      format: 'minimal',
      dataServiceVersion: '3.0',
    };
  }

  /**
   * One request of the API: `path` is below `/api/`, encoded as on the wire, with its query
   * (`Assets?$filter=…`). Failures are thrown as MediaError, exactly as the HTTP API answers them.
   */
  request(session: ApiSession, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const at = path.indexOf('?');
    return this.api.handle(session, {
      method,
      path: at < 0 ? path : path.slice(0, at),
      query: new URLSearchParams(at < 0 ? '' : path.slice(at + 1)),
      headers: JSON_HEADERS,
      body: body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8'),
    });
  }

  /** A request whose answer is one entity (GET of a key, POST): the entity; undefined for a 204. */
  async entity(
    session: ApiSession,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<WireEntity | undefined> {
    const response = await this.request(session, method, path, body);
    if (response.body === undefined || response.body.length === 0) return undefined;
    const { 'odata.metadata': _, ...entity } = JSON.parse(response.body.toString()) as WireEntity;
    return entity;
  }

  /** Every entity of a collection (`Assets`, `Jobs('…')/Tasks`, with a query), all pages. */
  async list(session: ApiSession, path: string): Promise<WireEntity[]> {
    const all: WireEntity[] = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const response = await this.request(session, 'GET', next);
      const page = JSON.parse(String(response.body)) as { value: WireEntity[]; 'odata.nextLink'?: string };
      all.push(...page.value);
      const link = page['odata.nextLink'];
      next = link?.startsWith(session.urls.api) ? link.slice(session.urls.api.length) : undefined;
    }
    return all;
  }
}

/** `Set('key')` as a path segment, the key encoded as clients send it. */
export const entityPath = (set: string, id: string): string => `${set}('${encodeURIComponent(id)}')`;

/** An OData string literal (`$filter`, function parameters): quoted, quotes doubled, percent-encoded. */
export const odataString = (value: string): string => encodeURIComponent(`'${value.replace(/'/g, "''")}'`);
