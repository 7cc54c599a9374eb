import { useState } from 'preact/hooks';
import type { Accepted, NewProgram } from '../../../api/mediaLive.js';
import { Field, TextField } from '../../components/Field.js';
import { CreateForm } from '../../home/CreateForm.js';

/**
 * A new program of a channel: its name, its archive (DVR) window, the manifest name its
 * streaming URLs use, and the asset it records into, which is created with it.
 */
export function ProgramForm(props: {
  channel: { id: string; name: string };
  onCreate: (program: NewProgram) => Promise<Accepted>;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [manifestName, setManifestName] = useState('');
  const [assetName, setAssetName] = useState('');
  const programName = name.trim();
  const defaultAsset = `${props.channel.name}-${programName || 'program'}`;
  return (
    <CreateForm
      kind="program"
      onCreate={async () => {
        await props.onCreate({
          channelId: props.channel.id,
          name: programName,
          archiveWindowMinutes: Number(minutes),
          manifestName: manifestName.trim(),
          assetName: assetName.trim() || defaultAsset,
        });
      }}
      onCancel={props.onCancel}
    >
      <TextField
        label="Program name"
        hint="Letters, digits and hyphens, starting with a letter or digit."
        name="name"
        required
        autoComplete="off"
        value={name}
        onValue={setName}
      />
      <Field
        label="Archive window (minutes)"
        hint="How far back viewers can seek, and how much is kept live: 5 to 1500 minutes."
      >
        {(ids) => (
          <input
            {...ids}
            name="archiveWindow"
            type="number"
            required
            min={5}
            max={1500}
            step={1}
            value={minutes}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        )}
      </Field>
      <TextField
        label="Manifest name"
        hint="Optional: the name in the program's streaming URLs (name.ism)."
        name="manifestName"
        autoComplete="off"
        value={manifestName}
        onValue={setManifestName}
      />
      <TextField
        label="Asset name"
        hint={`A new asset records the program; “${defaultAsset}” if left empty.`}
        name="assetName"
        autoComplete="off"
        value={assetName}
        onValue={setAssetName}
      />
    </CreateForm>
  );
}
