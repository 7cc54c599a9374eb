import type { BlobProperties } from '../blobStore.js';
import { blobErrors } from '../errors.js';
import { httpDate } from './headers.js';
import { escapeXml } from './xml.js';

/**
 * List Blobs: one page of a container's committed blobs in name order, with `prefix`, `delimiter`
 * (virtual folders become `<BlobPrefix>`), `marker` / `maxresults` paging and `include=metadata`.
 * The document's shape follows the request's version: before 2013-08-15 the container and each
 * blob carry their URL; from it on, `ServiceEndpoint` and the container's name.
 */

export interface ListingRequest {
  prefix: string;
  delimiter?: string;
  marker?: string;
  maxResults: number;
  includeMetadata: boolean;
  /** Which parameters were given: the document echoes those. */
  echo: { prefix: boolean; marker: boolean; maxResults: boolean };
}

type Query = Readonly<Record<string, string | string[] | undefined>>;

const MAX_RESULTS = 5000;
const INCLUDES = new Set([
  'metadata',
  'snapshots',
  'uncommittedblobs',
  'copy',
  'deleted',
  'tags',
  'versions',
]);

export function listingRequest(query: Query): ListingRequest {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw blobErrors.invalidQueryParameter(name, value.join(','));
    return value;
  };
  const max = one('maxresults');
  let maxResults = MAX_RESULTS;
  if (max !== undefined) {
    maxResults = /^\d{1,9}$/.test(max) ? Number(max) : Number.NaN;
    if (!(maxResults >= 1 && maxResults <= MAX_RESULTS)) {
      throw blobErrors.outOfRangeQueryParameter('maxresults', max, 1, MAX_RESULTS);
    }
  }
  const include = (one('include') ?? '').split(',').filter((item) => item !== '');
  for (const item of include)
    if (!INCLUDES.has(item)) throw blobErrors.invalidQueryParameter('include', item);
  const marker = one('marker');
  const delimiter = one('delimiter');
  const request: ListingRequest = {
    prefix: one('prefix') ?? '',
    maxResults,
    includeMetadata: include.includes('metadata'),
    echo: {
      prefix: query['prefix'] !== undefined,
      marker: marker !== undefined,
      maxResults: max !== undefined,
    },
  };
  if (marker !== undefined && marker !== '') request.marker = marker;
  if (delimiter !== undefined && delimiter !== '') request.delimiter = delimiter;
  return request;
}

type Item = { blob: BlobProperties } | { prefix: string };

/** The marker is the next name to list, base64url: opaque to clients, as the service's is. */
const markerOf = (name: string): string => Buffer.from(name, 'utf8').toString('base64url');

function nameOfMarker(marker: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(marker)) throw blobErrors.invalidQueryParameter('marker', marker);
  return Buffer.from(marker, 'base64url').toString('utf8');
}

export function listingPage(
  blobs: readonly BlobProperties[],
  request: ListingRequest,
): { items: Item[]; nextMarker?: string } {
  const from = request.marker === undefined ? '' : nameOfMarker(request.marker);
  const candidates = blobs.filter((b) => b.name.startsWith(request.prefix) && b.name >= from);
  const items: Item[] = [];
  for (let i = 0; i < candidates.length;) {
    const blob = candidates[i]!;
    if (items.length === request.maxResults) return { items, nextMarker: markerOf(blob.name) };
    const cut = request.delimiter ? blob.name.indexOf(request.delimiter, request.prefix.length) : -1;
    if (cut < 0) {
      items.push({ blob });
      i++;
      continue;
    }
    const prefix = blob.name.slice(0, cut + request.delimiter!.length);
    items.push({ prefix });
    while (i < candidates.length && candidates[i]!.name.startsWith(prefix)) i++;
  }
  return { items };
}

const element = (name: string, value: string | undefined): string =>
  value === undefined || value === '' ? `<${name} />` : `<${name}>${escapeXml(value)}</${name}>`;

const pathOf = (name: string): string => name.split('/').map(encodeURIComponent).join('/');

export function enumerationXml(options: {
  /** `https://host/media/<account>/blob` (no trailing slash). */
  serviceEndpoint: string;
  container: string;
  version: string;
  request: ListingRequest;
  page: { items: Item[]; nextMarker?: string };
}): string {
  const { serviceEndpoint, container, version, request, page } = options;
  const legacy = version < '2013-08-15';
  const containerUrl = `${serviceEndpoint}/${container}`;
  const root = legacy
    ? `<EnumerationResults ContainerName="${escapeXml(containerUrl)}">`
    : `<EnumerationResults ServiceEndpoint="${escapeXml(`${serviceEndpoint}/`)}" ContainerName="${escapeXml(container)}">`;
  let xml = `<?xml version="1.0" encoding="utf-8"?>${root}`;
  if (request.echo.prefix) xml += element('Prefix', request.prefix);
  if (request.echo.marker) xml += element('Marker', request.marker);
  if (request.echo.maxResults) xml += element('MaxResults', String(request.maxResults));
  if (request.delimiter !== undefined) xml += element('Delimiter', request.delimiter);
  xml += '<Blobs>';
  for (const item of page.items) {
    if ('prefix' in item) {
      xml += `<BlobPrefix>${element('Name', item.prefix)}</BlobPrefix>`;
      continue;
    }
    const b = item.blob;
    xml += `<Blob>${element('Name', b.name)}`;
    if (legacy) xml += element('Url', `${containerUrl}/${pathOf(b.name)}`);
    xml +=
      '<Properties>' +
      element('Last-Modified', httpDate(b.lastModified)) +
      element('Etag', b.etag.replace(/"/g, '')) +
      element('Content-Length', String(b.size)) +
      element('Content-Type', b.contentType) +
      element('Content-Encoding', undefined) +
      element('Content-Language', undefined) +
      element('Content-MD5', b.contentMd5) +
      element('Cache-Control', undefined) +
      (legacy ? '' : element('Content-Disposition', undefined)) +
      element('BlobType', 'BlockBlob') +
      element('LeaseStatus', 'unlocked') +
      element('LeaseState', 'available') +
      (version >= '2015-12-11' ? element('ServerEncrypted', 'false') : '') +
      '</Properties>';
    if (request.includeMetadata) {
      xml += '<Metadata>';
      for (const [name, value] of Object.entries(b.metadata ?? {})) xml += element(name, value);
      xml += '</Metadata>';
    }
    xml += '</Blob>';
  }
  xml += `</Blobs>${element('NextMarker', page.nextMarker)}</EnumerationResults>`;
  return xml;
}
