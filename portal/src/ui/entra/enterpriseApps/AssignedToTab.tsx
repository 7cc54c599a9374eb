import { useRef, useState } from 'preact/hooks';
import type { RoleAssignment, ServicePrincipalDetails } from '../../../api/servicePrincipals.js';
import { DEFAULT_ACCESS, listAssignedTo, removeAssignment } from '../../../api/servicePrincipals.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useLoad } from '../../components/useLoad.js';
import { PlusIcon, TrashIcon } from '../../icons.js';
import { dateOf, timeOf } from '../applications/Properties.js';
import { AssignRoleDialog } from './AssignRoleDialog.js';

/** The name of one of the app's roles, by id; Default Access for an assignment to the app itself. */
export function roleNameOf(sp: ServicePrincipalDetails, appRoleId: string): string {
  if (appRoleId === DEFAULT_ACCESS) return 'Default Access';
  const role = sp.appRoles.find((r) => r.id === appRoleId);
  return role ? role.displayName || role.value : appRoleId;
}

/** Users, groups and applications assigned to the app's roles (Graph's appRoleAssignedTo). */
export function AssignedToTab({ sp }: { sp: ServicePrincipalDetails }) {
  const [version, setVersion] = useState(0);
  const assignments = useLoad(() => listAssignedTo(sp.id), [sp.id, version]);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<RoleAssignment | undefined>(undefined);
  const button = useRef<HTMLButtonElement>(null);
  const changed = (message: string) => {
    announce(message);
    setVersion((v) => v + 1);
  };
  const role = (a: RoleAssignment) => roleNameOf(sp, a.appRoleId);
  return (
    <>
      <div class="panel-head">
        <p class="hint">
          People and groups assigned to a role get it in their tokens for this app (the roles claim).
        </p>
        <button ref={button} type="button" class="button primary" onClick={() => setAdding(true)}>
          <PlusIcon />
          Add user/group
        </button>
      </div>
      {assignments.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {assignments.state === 'failed' && <Alert>{assignments.message}</Alert>}
      {assignments.state === 'ready' && assignments.value.length === 0 && (
        <EmptyState title="Nobody is assigned yet">
          <p>
            Choose <strong>Add user/group</strong> to give a user or a group one of this application’s roles
            {sp.appRoles.length === 0 ? ' (it defines none: they get Default Access)' : ''}.
          </p>
        </EmptyState>
      )}
      {assignments.state === 'ready' && assignments.value.length > 0 && (
        <DataTable<RoleAssignment>
          caption="Users and groups assigned"
          what="assignments"
          items={assignments.value}
          keyOf={(a) => a.id}
          textOf={(a) => `${a.principalDisplayName} ${a.principalType} ${role(a)}`}
          filterLabel="Filter assignments"
          initialSort={{ column: 'Name' }}
          columns={[
            { header: 'Name', cell: (a) => a.principalDisplayName, sortValue: (a) => a.principalDisplayName },
            {
              header: 'Type',
              cell: (a) => a.principalType,
              sortValue: (a) => a.principalType,
              secondary: true,
            },
            { header: 'Role assigned', cell: role, sortValue: role },
            {
              header: 'Assigned',
              cell: (a) => dateOf(a.createdDateTime),
              sortValue: (a) => timeOf(a.createdDateTime),
              secondary: true,
            },
          ]}
          actions={(a) => (
            <button
              type="button"
              class="button icon-button"
              aria-label={`Remove ${role(a)} for ${a.principalDisplayName}`}
              title="Remove"
              onClick={() => setRemoving(a)}
            >
              <TrashIcon />
            </button>
          )}
        />
      )}
      {adding && (
        <AssignRoleDialog
          sp={sp}
          onClose={() => {
            setAdding(false);
            button.current?.focus();
          }}
          onAssigned={(message) => {
            setAdding(false);
            changed(message);
          }}
        />
      )}
      {removing && (
        <ConfirmDelete
          kind="assignment"
          name={`${role(removing)} for ${removing.principalDisplayName}`}
          consequence={`${removing.principalDisplayName} no longer gets ${role(removing)} in new tokens for ${sp.displayName}.`}
          onClose={() => setRemoving(undefined)}
          onDelete={async () => {
            await removeAssignment(sp.id, removing.id);
            setRemoving(undefined);
            changed(`${role(removing)} removed from ${removing.principalDisplayName}.`);
          }}
        />
      )}
    </>
  );
}
