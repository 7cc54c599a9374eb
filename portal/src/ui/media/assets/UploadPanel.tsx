import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Asset } from '../../../api/mediaServices.js';
import type { UploadProgress } from '../../../api/mediaUpload.js';
import { UploadCanceled, uploadFile } from '../../../api/mediaUpload.js';
import { announce } from '../../announcer.js';
import { Alert, messageOf } from '../../components/Alert.js';
import { Field } from '../../components/Field.js';
import { PlusIcon } from '../../icons.js';
import { formatBytes, formatPercent } from './format.js';

type UploadState =
  | { state: 'idle' }
  | { state: 'uploading'; name: string; progress: UploadProgress }
  | { state: 'failed'; message: string }
  | { state: 'done'; name: string };

/**
 * Uploading a file as a new asset, straight from the browser to the asset's blob container,
 * block by block, with a progress bar that moves per block and a Cancel that stops the transfer
 * and deletes the half-made asset.
 */
export function UploadPanel({
  account,
  onUploaded,
}: {
  account: string;
  onUploaded: (asset: Asset) => void;
}) {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [upload, setUpload] = useState<UploadState>({ state: 'idle' });
  const abort = useRef<AbortController | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);
  const barId = useId();
  // Leaving the screen mid-upload stops it (and so deletes the asset it was making).
  useEffect(() => () => abort.current?.abort(), []);

  const start = async (event: Event) => {
    event.preventDefault();
    if (!file || upload.state === 'uploading') return;
    const controller = new AbortController();
    abort.current = controller;
    setUpload({ state: 'uploading', name: file.name, progress: { loaded: 0, total: file.size } });
    announce(`Uploading ${file.name}.`);
    try {
      const asset = await uploadFile(
        account,
        file,
        (progress) => setUpload({ state: 'uploading', name: file.name, progress }),
        controller.signal,
      );
      setUpload({ state: 'done', name: file.name });
      setFile(undefined);
      if (input.current) input.current.value = '';
      announce(`${file.name} uploaded as a new asset.`);
      onUploaded(asset);
    } catch (error) {
      const message = error instanceof UploadCanceled ? error.message : messageOf(error);
      setUpload({ state: 'failed', message });
      announce(message);
    } finally {
      abort.current = undefined;
    }
  };

  const uploading = upload.state === 'uploading' ? upload : undefined;
  const percent = uploading
    ? uploading.progress.total === 0
      ? 100
      : (uploading.progress.loaded / uploading.progress.total) * 100
    : 0;

  return (
    <section class="panel" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload a file</h2>
      <p class="panel-description">
        The file becomes a new asset. It goes from this browser to the asset's storage container in blocks,
        through a write-only SAS locator that is deleted when the upload ends.
      </p>
      <form class="upload-form" onSubmit={start}>
        <Field label="Video or audio file" hint="An MP4, MOV, MXF, WAV or other file the encoder reads.">
          {(ids) => (
            <input
              {...ids}
              ref={input}
              type="file"
              accept="video/*,audio/*,.mp4,.mov,.mxf,.ts,.mkv,.wav"
              disabled={uploading !== undefined}
              onChange={(e) => {
                setFile(e.currentTarget.files?.[0]);
                if (upload.state !== 'uploading') setUpload({ state: 'idle' });
              }}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="button primary" disabled={!file || uploading !== undefined}>
            <PlusIcon />
            {uploading ? 'Uploading…' : 'Upload'}
          </button>
          {uploading && (
            <button type="button" class="button" onClick={() => abort.current?.abort()}>
              Cancel upload
            </button>
          )}
        </div>
      </form>
      {uploading && (
        <div class="upload-progress">
          <label for={barId} class="upload-progress-label">
            Uploading {uploading.name}: {formatPercent(percent)} ({formatBytes(uploading.progress.loaded)} of{' '}
            {formatBytes(uploading.progress.total)})
          </label>
          <progress
            id={barId}
            max={100}
            value={percent}
            data-loaded={uploading.progress.loaded}
            data-total={uploading.progress.total}
          />
        </div>
      )}
      {upload.state === 'done' && (
        <p class="hint" role="status">
          {upload.name} was uploaded: it is in the list below. Encode it to stream it.
        </p>
      )}
      {upload.state === 'failed' && <Alert>{upload.message}</Alert>}
    </section>
  );
}
