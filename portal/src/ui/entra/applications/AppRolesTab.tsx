import { useState } from 'preact/hooks';
import type { AppRegistration, AppRole } from '../../../api/applications.js';
import { setAppRoles } from '../../../api/applications.js';
import { Alert } from '../../components/Alert.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Field, TextField } from '../../components/Field.js';
import { PlusIcon } from '../../icons.js';
import { AddForm } from './AddForm.js';
import { EntitlementActions } from './EntitlementActions.js';
import { useEntitlementList } from './useEntitlementList.js';

interface TabProps {
  app: AppRegistration;
  onChanged: (message: string) => void;
}

const MEMBER_TYPES = {
  User: 'Users/Groups',
  Application: 'Applications',
  Both: 'Both (users/groups and applications)',
} as const;
type MemberChoice = keyof typeof MEMBER_TYPES;

const membersOf = (role: AppRole): string => role.allowedMemberTypes.map((t) => MEMBER_TYPES[t]).join(', ');

/**
 * Roles the application defines: assigned to users and groups (on its enterprise application) or
 * granted to other applications, they reach its tokens as the `roles` claim. Entra removes a role
 * only once it is disabled, so a token or an assignment never loses its meaning unseen.
 */
export function AppRolesTab({ app, onChanged }: TabProps) {
  const roles = useEntitlementList(app.appRoles, (list) => setAppRoles(app.id, list), onChanged);
  const { adding, setAdding, button, close, running, error } = roles;
  return (
    <>
      <div class="panel-head">
        <p class="hint">
          A role must be disabled before it can be removed. Assign roles to users and groups on the enterprise
          application.
        </p>
        <button
          ref={button}
          type="button"
          class="button"
          aria-expanded={adding}
          onClick={() => setAdding(!adding)}
        >
          <PlusIcon />
          Create app role
        </button>
      </div>
      {adding && (
        <NewRoleForm
          onCancel={close}
          onCreate={(role) => roles.add(role, `App role ${role.displayName} created.`)}
        />
      )}
      {error && <Alert>{error}</Alert>}
      {app.appRoles.length === 0 ? (
        <EmptyState title="This application defines no roles">
          <p>
            Choose <strong>Create app role</strong> to define one, for example <code>Orders.Approve</code> for
            users or <code>Orders.Read.All</code> for applications.
          </p>
        </EmptyState>
      ) : (
        <DataTable<AppRole>
          caption="App roles"
          what="app roles"
          items={app.appRoles}
          keyOf={(r) => r.id}
          textOf={(r) => `${r.displayName} ${r.value} ${r.description}`}
          filterLabel="Filter app roles"
          initialSort={{ column: 'Display name' }}
          columns={[
            {
              header: 'Display name',
              cell: (r) => (
                <>
                  {r.displayName}
                  <span class="cell-detail">{r.description}</span>
                </>
              ),
              sortValue: (r) => r.displayName,
            },
            { header: 'Value', cell: (r) => <code>{r.value}</code>, sortValue: (r) => r.value },
            { header: 'Allowed members', cell: membersOf, sortValue: membersOf, secondary: true },
            {
              header: 'State',
              cell: (r) => (r.isEnabled ? 'Enabled' : 'Disabled'),
              sortValue: (r) => (r.isEnabled ? 'Enabled' : 'Disabled'),
            },
          ]}
          actions={(r) => (
            <EntitlementActions
              kind="app role"
              name={r.displayName}
              enabled={r.isEnabled}
              busy={running !== undefined}
              onToggle={() =>
                roles.toggle(r, `App role ${r.displayName} ${r.isEnabled ? 'disabled' : 'enabled'}.`)
              }
              onRemove={() => roles.remove(r, `App role ${r.displayName} removed.`)}
            />
          )}
        />
      )}
    </>
  );
}

function NewRoleForm(props: { onCreate: (role: AppRole) => Promise<void>; onCancel: () => void }) {
  const [displayName, setDisplayName] = useState('');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [members, setMembers] = useState<MemberChoice>('User');
  return (
    <AddForm
      label="Create app role"
      action="Create"
      onCancel={props.onCancel}
      onSubmit={() =>
        props.onCreate({
          id: crypto.randomUUID(),
          displayName: displayName.trim(),
          value: value.trim(),
          description: description.trim() || displayName.trim(),
          allowedMemberTypes: members === 'Both' ? ['User', 'Application'] : [members],
          isEnabled: true,
        })
      }
    >
      <TextField
        label="Display name"
        required
        autoComplete="off"
        value={displayName}
        onValue={setDisplayName}
      />
      <Field label="Allowed member types">
        {(ids) => (
          <select
            {...ids}
            value={members}
            onChange={(e) => setMembers(e.currentTarget.value as MemberChoice)}
          >
            {Object.entries(MEMBER_TYPES).map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <TextField
        label="Value"
        hint="What tokens carry in their roles claim: no spaces, unique in the app."
        required
        pattern="\S+"
        autoComplete="off"
        value={value}
        onValue={setValue}
      />
      <TextField label="Description" autoComplete="off" value={description} onValue={setDescription} />
    </AddForm>
  );
}
