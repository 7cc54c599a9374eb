import { useState } from 'preact/hooks';
import type { Principal, SearchableType } from '../../../api/directoryObjects.js';
import type { ServicePrincipalDetails } from '../../../api/servicePrincipals.js';
import { DEFAULT_ACCESS, assignAppRole } from '../../../api/servicePrincipals.js';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { PrincipalPicker } from '../../components/PrincipalPicker.js';
import { useSubmit } from '../../components/useSubmit.js';

interface Props {
  sp: ServicePrincipalDetails;
  onClose: () => void;
  onAssigned: (message: string) => void;
}

/** Who this dialog assigns, as the Azure portal's "Users and groups" does: app permissions are granted elsewhere. */
const USERS_AND_GROUPS: readonly SearchableType[] = ['User', 'Group'];

interface RoleChoice {
  id: string;
  name: string;
  detail: string;
}

/** The roles a user or group may hold: enabled ones for users; Default Access when the app defines none. */
function userRolesOf(sp: ServicePrincipalDetails): RoleChoice[] {
  const roles = sp.appRoles
    .filter((r) => r.isEnabled && r.allowedMemberTypes.includes('User'))
    .map((r) => ({ id: r.id, name: r.displayName || r.value, detail: `${r.value} · ${r.description}` }));
  if (roles.length > 0 || sp.appRoles.some((r) => r.allowedMemberTypes.includes('User'))) return roles;
  return [{ id: DEFAULT_ACCESS, name: 'Default Access', detail: 'The app defines no roles for users.' }];
}

/** Add assignment: a user or a group found through Graph, one of the app's roles, then Graph's POST. */
export function AssignRoleDialog({ sp, onClose, onAssigned }: Props) {
  const roles = userRolesOf(sp);
  const [member, setMember] = useState<Principal | undefined>(undefined);
  const [roleId, setRoleId] = useState<string | undefined>(roles.length === 1 ? roles[0]?.id : undefined);
  const { busy, error, submit } = useSubmit(async () => {
    const role = roles.find((r) => r.id === roleId);
    if (!member || !role) throw new Error('Choose a user or group and a role first.');
    await assignAppRole(sp.id, member.id, role.id);
    onAssigned(`${member.displayName} was assigned ${role.name} on ${sp.displayName}.`);
  });
  return (
    <Dialog title="Add assignment" onClose={onClose}>
      <form onSubmit={submit} class="add-assignment">
        <p class="hint">
          To <strong>{sp.displayName}</strong>.
        </p>
        <PrincipalPicker
          chosen={member}
          onChoose={setMember}
          legend="User or group"
          optionsLabel="Users and groups"
          hint="The start of a display name or of a user name."
          noMatch={(query) => `No user or group’s name starts with “${query}”.`}
          types={USERS_AND_GROUPS}
        />
        <fieldset class="picker">
          <legend>Role</legend>
          {roles.length === 0 ? (
            <p class="hint">
              This application has no enabled role users may hold: create one (Allowed member types
              Users/Groups) on its app registration.
            </p>
          ) : (
            <div class="options" role="radiogroup" aria-label="Roles">
              {roles.map((r) => (
                <label key={r.id} class="option">
                  <input
                    type="radio"
                    name="app-role"
                    value={r.id}
                    checked={roleId === r.id}
                    onChange={() => setRoleId(r.id)}
                  />
                  <span>
                    <span class="option-name">{r.name}</span>
                    <span class="option-detail">{r.detail}</span>
                  </span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Assigning…' : 'Assign'}
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
