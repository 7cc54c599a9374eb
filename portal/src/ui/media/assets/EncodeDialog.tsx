import { useState } from 'preact/hooks';
import type { Asset, Job } from '../../../api/mediaServices.js';
import { ENCODING_PRESETS, submitEncodingJob } from '../../../api/mediaServices.js';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { Field, TextField } from '../../components/Field.js';
import { useSubmit } from '../../components/useSubmit.js';

interface EncodeDialogProps {
  account: string;
  asset: Asset;
  onSubmitted: (job: Job) => void;
  onClose: () => void;
}

/** Submits a job with one Media Encoder Standard task: the asset in, a new asset out. */
export function EncodeDialog({ account, asset, onSubmitted, onClose }: EncodeDialogProps) {
  const [preset, setPreset] = useState<string>(ENCODING_PRESETS[0]);
  const [name, setName] = useState(`Encode ${asset.name}`);
  const { busy, error, submit } = useSubmit(async () => {
    onSubmitted(await submitEncodingJob(account, asset, preset, name.trim() || `Encode ${asset.name}`));
  });
  return (
    <Dialog title={`Encode ${asset.name}`} onClose={onClose}>
      <form method="dialog" onSubmit={submit}>
        <div class="fields">
          <Field
            label="Preset"
            hint="Adaptive Streaming makes a bitrate ladder for the input and a streaming manifest: pick it to play the output here."
          >
            {(ids) => (
              <select {...ids} value={preset} onChange={(e) => setPreset(e.currentTarget.value)}>
                {ENCODING_PRESETS.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <TextField label="Job name" type="text" maxLength={256} value={name} onValue={setName} />
        </div>
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Submitting…' : 'Submit job'}
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
