import { Alert } from './Alert.js';
import { Dialog } from './Dialog.js';
import { useSubmit } from './useSubmit.js';

interface ConfirmDeleteProps {
  /** "resource group", "App Configuration store"… */
  kind: string;
  name: string;
  /** What else goes with it, said before anything is deleted. */
  consequence: string;
  onDelete: () => Promise<void>;
  onClose: () => void;
}

/** Asks before deleting; a refusal is shown in the dialog in the API's words. */
export function ConfirmDelete({ kind, name, consequence, onDelete, onClose }: ConfirmDeleteProps) {
  const { busy, error, submit } = useSubmit(onDelete);
  return (
    <Dialog title={`Delete ${kind} ${name}?`} onClose={onClose}>
      <form method="dialog" onSubmit={submit}>
        <p>{consequence}</p>
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button danger" disabled={busy}>
            {busy ? 'Deleting…' : 'Delete'}
          </button>
          {/* The dialog opens on Cancel: Enter alone never deletes. */}
          <button type="button" class="button" autoFocus onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
