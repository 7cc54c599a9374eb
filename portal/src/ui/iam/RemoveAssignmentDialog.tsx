import { deleteRoleAssignment } from '../../api/rbac.js';
import { Alert } from '../components/Alert.js';
import { Dialog } from '../components/Dialog.js';
import { useSubmit } from '../components/useSubmit.js';
import type { AssignmentRow } from './assignmentRows.js';

interface Props {
  row: AssignmentRow;
  scopeName: string;
  onClose: () => void;
  onRemoved: (message: string) => void;
}

/** Asks before removing; a refusal stays in the dialog in ARM's words. */
export function RemoveAssignmentDialog({ row, scopeName, onClose, onRemoved }: Props) {
  const { busy, error, submit } = useSubmit(async () => {
    await deleteRoleAssignment(row.assignment.id);
    onRemoved(`Removed ${row.roleName} for ${row.principalName}.`);
  });
  return (
    <Dialog title="Remove role assignment?" onClose={onClose}>
      <form method="dialog" onSubmit={submit}>
        <p>
          {row.principalName} ({row.principalKind}) loses the {row.roleName} role on {scopeName}, and on
          everything in it, unless another assignment grants it.
        </p>
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button danger" disabled={busy}>
            {busy ? 'Removing…' : 'Remove'}
          </button>
          {/* Cancel has the focus: Enter alone never removes. */}
          <button type="button" class="button" autoFocus onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
