import type { MediaAccount } from '../accounts.js';
import type { EntityBody } from '../odata/bodyReader.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import type { AccountWriter } from '../persistence/mediaEntities.js';
import type { AccountUrls } from '../urls.js';
import type { JobEvents } from '../jobs/events.js';

/** What a rule may do while a unit of work runs. */
export interface RuleContext {
  writer: AccountWriter;
  account: MediaAccount;
  urls: AccountUrls;
  /** Epoch ms, one value for the whole unit. */
  now: number;
  /** Inside a `$batch` change set, where an entity may be completed by later parts. */
  inChangeSet: boolean;
  /** Runs before the unit commits, after every part of it (a change set's job is whole then). */
  beforeCommit(task: () => void | Promise<void>): void;
  /** Runs once the unit has committed: files, queues, notifications. Failures are logged. */
  afterCommit(task: () => void | Promise<void>): void;
  /** `(set, key)` named by a bind URL of any host or key spelling. */
  bind(url: string): { set: string; key: string };
  services: RuleServices;
}

/** The slice's services the rules reach, as narrow interfaces. */
export interface RuleServices {
  blobs: {
    list(container: string): Promise<Array<{ name: string; size: number; contentType: string }>>;
    delete(container: string, name: string): Promise<boolean>;
    deleteContainer(container: string): Promise<void>;
  };
  jobs: { wake(account: string): void; cancel(account: string, jobId: string): void };
  /** Job and task state changes, for webhooks. */
  events: JobEvents;
  /** This process's live supervisor, woken when live work is recorded; absent in the CLI (the server's polls). */
  live?: { wake(account: string): void };
}

export interface SasGrantInput {
  locatorId: string;
  container: string;
  permissions: number;
  startTime: number | null;
  expiry: number;
}

/** What computed fields are made from. */
export interface PresentContext {
  urls: AccountUrls;
  account: MediaAccount;
  /** The SAS query string (`?sv=…`) of a locator's grant on a container. */
  sas(grant: SasGrantInput): string;
}

/** How a navigation property finds its targets. */
export type Navigation =
  /** Entities of `set` whose `property` holds the source's Id (an asset's Files by ParentAssetId). */
  | { kind: 'foreignKey'; set: string; property: string }
  /** The one entity of `set` whose Id the source's `property` holds (a locator's Asset). */
  | { kind: 'reference'; set: string; property: string }
  /** Rows of media_links: many-to-many and ordered (a job's InputMediaAssets). */
  | { kind: 'link'; set: string; writable: boolean };

/** One entity set's behaviour. Sets without `create` refuse POST, and so on. */
export interface EntitySetRules {
  readonly set: string;
  readonly navigations?: Readonly<Record<string, Navigation>>;
  create?(ctx: RuleContext, body: EntityBody): EntityRecord | Promise<EntityRecord>;
  update?(ctx: RuleContext, existing: EntityRecord, body: EntityBody, replace: boolean): EntityRecord;
  remove?(ctx: RuleContext, existing: EntityRecord): void | Promise<void>;
  /** Fields computed per request (URLs on the caller's origin). Returns a new record. */
  present?(record: EntityRecord, ctx: PresentContext): EntityRecord;
  /** Entities every account has without anyone creating them (processors, the default endpoint). */
  builtIn?(account: MediaAccount, view: AccountView): readonly EntityRecord[];
}
