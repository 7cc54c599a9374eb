import { useState } from 'preact/hooks';
import type { Principal } from '../../api/directoryObjects.js';
import type { RoleDefinition } from '../../api/rbac.js';
import { createRoleAssignment } from '../../api/rbac.js';
import { Alert } from '../components/Alert.js';
import { Dialog } from '../components/Dialog.js';
import { SearchField } from '../components/Field.js';
import { PrincipalPicker } from '../components/PrincipalPicker.js';
import type { Loaded } from '../components/useLoad.js';
import { useSubmit } from '../components/useSubmit.js';
import { searchRoles } from './roleSearch.js';
import type { ScopeInfo } from './scopes.js';

interface Props {
  info: ScopeInfo;
  roles: Loaded<RoleDefinition[]>;
  onClose: () => void;
  onAdded: (message: string) => void;
}

/** How many matches each list shows: search narrows it, as the Azure portal's pickers do. */
const SHOWN = 25;

/**
 * Add role assignment: a role from every role assignable here (built-in and custom), a member
 * found through Microsoft Graph, then a PUT to ARM, whose refusal is shown as it said it.
 */
export function AddAssignmentDialog({ info, roles, onClose, onAdded }: Props) {
  const [role, setRole] = useState<RoleDefinition | undefined>(undefined);
  const [member, setMember] = useState<Principal | undefined>(undefined);
  const { busy, error, submit } = useSubmit(async () => {
    if (!role || !member) throw new Error('Choose a role and a member first.');
    await createRoleAssignment(info.scope, {
      roleDefinitionId: role.id,
      principalId: member.id,
      principalType: member.type,
    });
    onAdded(`${member.displayName} was given ${role.roleName} on ${info.kind} ${info.name}.`);
  });
  return (
    <Dialog title="Add role assignment" onClose={onClose}>
      <form onSubmit={submit} class="add-assignment">
        <p class="hint">
          On {info.kind} <strong>{info.name}</strong> and everything in it.
        </p>
        <RolePicker roles={roles} chosen={role} onChoose={setRole} />
        <PrincipalPicker
          chosen={member}
          onChoose={setMember}
          legend="Member"
          optionsLabel="Members"
          hint="The start of a display name (or of a user name). Managed identities are service principals."
          noMatch={(query) => `Nobody’s name starts with “${query}”.`}
        />
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
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

function RolePicker(props: {
  roles: Loaded<RoleDefinition[]>;
  chosen: RoleDefinition | undefined;
  onChoose: (role: RoleDefinition) => void;
}) {
  const [query, setQuery] = useState('');
  const all = props.roles.state === 'ready' ? props.roles.value : [];
  const matches = searchRoles(all, query);
  return (
    <fieldset class="picker">
      <legend>Role</legend>
      <SearchField
        label="Search roles"
        hint={`${all.length} roles can be assigned here, built-in and custom.`}
        value={query}
        onInput={setQuery}
      />
      {props.roles.state === 'loading' && <p class="loading">Loading roles…</p>}
      {props.roles.state === 'failed' && <Alert>{props.roles.message}</Alert>}
      <div class="options" role="radiogroup" aria-label="Roles">
        {matches.slice(0, SHOWN).map((r) => (
          <label key={r.name} class="option">
            <input
              type="radio"
              name="role"
              value={r.name}
              checked={props.chosen?.name === r.name}
              onChange={() => props.onChoose(r)}
            />
            <span>
              <span class="option-name">
                {r.roleName}
                {r.roleType === 'CustomRole' && <span class="badge">Custom</span>}
              </span>
              <span class="option-detail">{r.description}</span>
            </span>
          </label>
        ))}
        {props.roles.state === 'ready' && matches.length === 0 && <p class="hint">No role matches.</p>}
        {matches.length > SHOWN && (
          <p class="hint">{matches.length - SHOWN} more: type more of the name to narrow the list.</p>
        )}
      </div>
      {props.chosen && (
        <p class="hint">
          Chosen: <strong>{props.chosen.roleName}</strong>
        </p>
      )}
    </fieldset>
  );
}
