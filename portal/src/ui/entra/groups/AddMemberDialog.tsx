import { useState } from 'preact/hooks';
import type { Principal } from '../../../api/directoryObjects.js';
import type { DirectoryGroup } from '../../../api/graphGroups.js';
import { addMember } from '../../../api/graphGroups.js';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { PrincipalPicker } from '../../components/PrincipalPicker.js';
import { useSubmit } from '../../components/useSubmit.js';

interface Props {
  group: DirectoryGroup;
  /** Object ids already in the group (and the group's own). */
  exclude: ReadonlySet<string>;
  onClose: () => void;
  onAdded: (member: Principal) => void;
}

/** Add member: a user, group or service principal, added by reference as Graph takes it. */
export function AddMemberDialog({ group, exclude, onClose, onAdded }: Props) {
  const [member, setMember] = useState<Principal | undefined>(undefined);
  const { busy, error, submit } = useSubmit(async () => {
    if (!member) throw new Error('Choose a member first.');
    await addMember(group.id, member.id);
    onAdded(member);
  });
  return (
    <Dialog title={`Add a member to ${group.displayName}`} onClose={onClose}>
      <form onSubmit={submit}>
        <PrincipalPicker
          chosen={member}
          onChoose={setMember}
          legend="Member"
          optionsLabel="Members"
          hint="The start of a display name (or of a user name). Members already in the group are not listed."
          noMatch={(query) => `Nobody else’s name starts with “${query}”.`}
          exclude={exclude}
        />
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add'}
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
