/** Tag values may be null in App Configuration (`tags={"name":null}`), distinct from "". */
export type Tags = Record<string, string | null>;

/** A key-value as the service keeps it. `label: null` is the null label (the default one). */
export interface KeyValue {
  key: string;
  label: string | null;
  value: string | null;
  contentType: string | null;
  description: string | null;
  tags: Tags;
  locked: boolean;
  etag: string;
  /** Epoch seconds: the service reports modification times to the second. */
  lastModified: number;
}

/** What a client sets: everything but the service-maintained etag, lock and time. */
export interface KeyValueInput {
  key: string;
  label: string | null;
  value: string | null;
  contentType: string | null;
  description: string | null;
  tags: Tags;
}

/** One revision of a key-value, in the order changes were made. */
export interface Revision extends KeyValue {
  seq: number;
}

export type SnapshotStatus = 'provisioning' | 'ready' | 'archived' | 'failed';
export const snapshotStatuses: readonly SnapshotStatus[] = ['provisioning', 'ready', 'archived', 'failed'];

export type CompositionType = 'key' | 'key_label';

/** A snapshot filter as the client wrote it (filter syntax, not yet parsed). */
export interface SnapshotFilter {
  key: string;
  label: string | null;
  tags: string[];
}

export interface Snapshot {
  name: string;
  status: SnapshotStatus;
  filters: SnapshotFilter[];
  compositionType: CompositionType;
  /** Epoch seconds. */
  created: number;
  /** Epoch seconds; set while archived (the snapshot is purged then). */
  expires: number | null;
  /** Seconds an archived snapshot is kept. */
  retentionPeriod: number;
  size: number;
  itemsCount: number;
  tags: Record<string, string>;
  description: string | null;
  etag: string;
  operationId: string;
}
