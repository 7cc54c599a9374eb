import { nameGuid, newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { EntitySetRules } from './rules.js';

export const MEDIA_ENCODER_STANDARD = 'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56';

/**
 * The processors the service listed. Media Encoder Standard (the service's own id) runs, on
 * ffmpeg; the others are listed as the service listed them — with ids derived from their names,
 * since only the encoder's is documented — and a job that names one is refused at submission.
 */
const CATALOGUE: ReadonlyArray<{ name: string; version: string; runs?: boolean; id?: string }> = [
  { name: 'Media Encoder Standard', version: '1.1', runs: true, id: MEDIA_ENCODER_STANDARD },
  { name: 'Media Encoder Premium Workflow', version: '1.0' },
  { name: 'Azure Media Indexer', version: '1.2' },
  { name: 'Azure Media Indexer 2 Preview', version: '1.0' },
  { name: 'Storage Decryption', version: '1.7' },
  { name: 'Azure Media Face Detector', version: '1.0' },
  { name: 'Azure Media Motion Detector', version: '1.0' },
  { name: 'Azure Media Video Thumbnails', version: '1.0' },
  { name: 'Azure Media OCR', version: '1.0' },
  { name: 'Azure Media Content Moderator', version: '1.0' },
  { name: 'Azure Media Redactor', version: '1.0' },
];

const PROCESSORS: readonly EntityRecord[] = CATALOGUE.map((p) => ({
  Id: p.id ?? newId('mpid', nameGuid(p.name)),
  Name: p.name,
  Description: p.name,
  Sku: '',
  Vendor: 'Microsoft',
  Version: p.version,
}));

const RUNNABLE = new Set(CATALOGUE.filter((p) => p.runs).map((p) => p.id));

export const isRunnableProcessor = (id: string): boolean => RUNNABLE.has(id);
export const processorById = (id: string): EntityRecord | undefined => PROCESSORS.find((p) => p.Id === id);

export const mediaProcessors: EntitySetRules = {
  set: 'MediaProcessors',
  builtIn: () => PROCESSORS,
};
