import { useState } from 'preact/hooks';
import type { DirectoryGroup } from '../../../api/graphGroups.js';
import { createGroup } from '../../../api/graphGroups.js';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { TextField } from '../../components/Field.js';
import { useSubmit } from '../../components/useSubmit.js';

/** New security group: a name and what it is for. */
export function CreateGroupDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (group: DirectoryGroup) => void;
}) {
  const [displayName, setDisplayName] = useState('');
  const [description, setDescription] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    onCreated(await createGroup(displayName.trim(), description.trim()));
  });
  return (
    <Dialog title="New group" onClose={onClose}>
      <form onSubmit={submit}>
        <p class="hint">
          A security group: give it Azure roles or app roles once, then add and remove members.
        </p>
        <TextField label="Group name" required maxLength={256} value={displayName} onValue={setDisplayName} />
        <TextField
          label="Description"
          hint="Optional: who belongs in it."
          maxLength={1024}
          value={description}
          onValue={setDescription}
        />
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
