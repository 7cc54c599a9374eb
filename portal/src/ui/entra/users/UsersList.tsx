import { useRef, useState } from 'preact/hooks';
import type { DirectoryUser } from '../../../api/graphUsers.js';
import { listUsers } from '../../../api/graphUsers.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useLoad } from '../../components/useLoad.js';
import { PlusIcon } from '../../icons.js';
import { entraHref } from '../../router.js';
import { CreateUserDialog } from './CreateUserDialog.js';

export const yesNo = (value: boolean): string => (value ? 'Yes' : 'No');

/** Every user of the directory the person may read, and a way to add one. */
export function UsersList() {
  const [version, setVersion] = useState(0);
  const users = useLoad(listUsers, [version]);
  const [creating, setCreating] = useState(false);
  const newButton = useRef<HTMLButtonElement>(null);
  return (
    <section class="panel" aria-labelledby="users-heading">
      <div class="panel-head">
        <h2 id="users-heading">Users</h2>
        <button ref={newButton} type="button" class="button primary" onClick={() => setCreating(true)}>
          <PlusIcon />
          New user
        </button>
      </div>
      <p class="panel-description">
        People who sign in to this directory. Open one to reset their password, disable them or see their
        groups.
      </p>
      {users.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {users.state === 'failed' && <Alert>{users.message}</Alert>}
      {users.state === 'ready' && users.value.length === 0 && (
        <EmptyState title="No users you can see">
          <p>Create one with New user; they sign in with the name and password you give them.</p>
        </EmptyState>
      )}
      {users.state === 'ready' && users.value.length > 0 && (
        <DataTable<DirectoryUser>
          caption="Users"
          what="users"
          items={users.value}
          keyOf={(u) => u.id}
          textOf={(u) => `${u.displayName} ${u.userPrincipalName}`}
          filterHint="By display name or user name."
          initialSort={{ column: 'Display name' }}
          columns={[
            {
              header: 'Display name',
              sortValue: (u) => u.displayName,
              cell: (u) => (
                <>
                  <AppLink class="cell-main" href={entraHref('users', u.id)}>
                    {u.displayName || u.userPrincipalName}
                  </AppLink>
                  <span class="cell-detail">{u.userPrincipalName}</span>
                </>
              ),
            },
            {
              header: 'User principal name',
              sortValue: (u) => u.userPrincipalName,
              cell: (u) => u.userPrincipalName,
              secondary: true,
            },
            {
              header: 'Account enabled',
              sortValue: (u) => yesNo(u.accountEnabled),
              cell: (u) => yesNo(u.accountEnabled),
            },
            { header: 'User type', sortValue: (u) => u.userType, cell: (u) => u.userType, secondary: true },
          ]}
        />
      )}
      {creating && (
        <CreateUserDialog
          onClose={() => {
            setCreating(false);
            requestAnimationFrame(() => newButton.current?.focus());
          }}
          onCreated={(user) => {
            announce(`${user.displayName} was created.`);
            setVersion((v) => v + 1);
          }}
        />
      )}
    </section>
  );
}
