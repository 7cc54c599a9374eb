import type { Principal } from '../../../api/directoryObjects.js';
import type { DirectoryGroup } from '../../../api/graphGroups.js';
import { removeMember } from '../../../api/graphGroups.js';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { useSubmit } from '../../components/useSubmit.js';

/** Asks before removing a member; Graph's refusal stays in the dialog. */
export function RemoveMemberDialog(props: {
  group: DirectoryGroup;
  member: Principal;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const { group, member } = props;
  const { busy, error, submit } = useSubmit(async () => {
    await removeMember(group.id, member.id);
    props.onRemoved();
  });
  return (
    <Dialog title={`Remove ${member.displayName} from ${group.displayName}?`} onClose={props.onClose}>
      <form method="dialog" onSubmit={submit}>
        <p>
          {member.displayName} ({member.kind}) loses what the group grants, unless they have it another way.
        </p>
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button danger" disabled={busy}>
            {busy ? 'Removing…' : 'Remove'}
          </button>
          {/* Cancel has the focus: Enter alone never removes. */}
          <button type="button" class="button" autoFocus onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
