import { createHash, randomUUID } from 'node:crypto';

/** The kinds of `nb:<kind>:UUID:<guid>` keys, by entity set. */
export const ID_KINDS: Readonly<Record<string, string>> = {
  Assets: 'cid',
  Files: 'cid',
  AccessPolicies: 'pid',
  Locators: 'lid',
  Jobs: 'jid',
  Tasks: 'tid',
  MediaProcessors: 'mpid',
  JobTemplates: 'jtid',
  TaskTemplates: 'ttid',
  ContentKeys: 'kid',
  ContentKeyAuthorizationPolicies: 'ckpid',
  ContentKeyAuthorizationPolicyOptions: 'ckpoid',
  NotificationEndPoints: 'nepid',
  AssetDeliveryPolicies: 'adpid',
  IngestManifests: 'mid',
  IngestManifestAssets: 'maid',
  IngestManifestFiles: 'mfid',
  Channels: 'chid',
  Programs: 'pgid',
  StreamingEndpoints: 'oid',
  Operations: 'opid',
};

const KEY = /^nb:([a-z]+):UUID:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export const newId = (kind: string, guid: string = randomUUID()): string => `nb:${kind}:UUID:${guid}`;

/** The guid of an `nb:` key (lower-cased), or undefined when the key is not of that form. */
export function guidOf(id: string, kind?: string): string | undefined {
  const match = KEY.exec(id);
  if (!match || (kind !== undefined && match[1] !== kind)) return undefined;
  return match[2]?.toLowerCase();
}

/** A stable guid from a name: for catalogue entries that have no id of the service's own. */
export function nameGuid(name: string): string {
  const hex = createHash('sha256').update(`tessera:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An asset's blob container, as Media Services named them. */
export const containerOf = (assetId: string): string => `asset-${guidOf(assetId) ?? ''}`;
