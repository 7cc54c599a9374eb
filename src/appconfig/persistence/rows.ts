import type { KeyValue, Revision, Tags } from '../model.js';

/** Columns of a key-value in the current, revision and snapshot tables (all three share them). */
export const KEY_VALUE_COLUMNS =
  'key, label, value, content_type, description, tags, locked, etag, last_modified';

export interface KeyValueRow {
  key: string;
  /** '' is the null label. */
  label: string;
  value: string | null;
  content_type: string | null;
  description: string | null;
  tags: string;
  locked: number;
  etag: string;
  last_modified: number;
}

export interface RevisionRow extends KeyValueRow {
  seq: number;
  deleted: number;
}

export const labelColumn = (label: string | null): string => label ?? '';

/**
 * How an engine stores free text (values, descriptions, tag names and values): as it is, or in a
 * form the engine can hold. Keys, labels and names never need it (control characters are refused).
 */
export interface TextCodec {
  /** Identity when the engine holds any text: nothing to do per row. */
  readonly identity: boolean;
  store(text: string): string;
  load(text: string): string;
}

export const plainText: TextCodec = { identity: true, store: (text) => text, load: (text) => text };

const mapTags = (tags: Tags, map: (text: string) => string): Tags => {
  const mapped: Tags = {};
  for (const [name, value] of Object.entries(tags)) mapped[map(name)] = value === null ? null : map(value);
  return mapped;
};

/** Key-values to and from rows, with the engine's text codec. */
export class KeyValueRows {
  constructor(private readonly text: TextCodec) {}

  /** Free text as stored. */
  storedText(text: string | null): string | null {
    return text === null || this.text.identity ? text : this.text.store(text);
  }

  loadedText(text: string | null): string | null {
    return text === null || this.text.identity ? text : this.text.load(text);
  }

  /** The tags column: a JSON object of the stored names and values. */
  tagsColumn(tags: Tags): string {
    return JSON.stringify(this.text.identity ? tags : mapTags(tags, (t) => this.text.store(t)));
  }

  toKeyValue(row: KeyValueRow): KeyValue {
    const tags = JSON.parse(row.tags) as Tags;
    return {
      key: row.key,
      label: row.label === '' ? null : row.label,
      value: this.loadedText(row.value),
      contentType: this.loadedText(row.content_type),
      description: this.loadedText(row.description),
      tags: this.text.identity ? tags : mapTags(tags, (t) => this.text.load(t)),
      locked: Number(row.locked) === 1,
      etag: row.etag,
      lastModified: Number(row.last_modified),
    };
  }

  toRevision(row: RevisionRow): Revision {
    return { ...this.toKeyValue(row), seq: Number(row.seq) };
  }

  /** Column values in KEY_VALUE_COLUMNS order. */
  params(kv: KeyValue): unknown[] {
    return [
      kv.key,
      labelColumn(kv.label),
      this.storedText(kv.value),
      this.storedText(kv.contentType),
      this.storedText(kv.description),
      this.tagsColumn(kv.tags),
      kv.locked ? 1 : 0,
      kv.etag,
      kv.lastModified,
    ];
  }
}
