import { useState } from 'preact/hooks';
import type { Membership } from '../../../api/graphUsers.js';
import { deleteUser, getUser, setAccountEnabled, userGroups } from '../../../api/graphUsers.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useLoad } from '../../components/useLoad.js';
import { useSubmit } from '../../components/useSubmit.js';
import { entraHref, navigate } from '../../router.js';
import { ResetPasswordDialog } from './ResetPasswordDialog.js';
import { yesNo } from './UsersList.js';

/** One user: who they are, reset password, disable or enable, delete, and their groups. */
export function UserPage({ id }: { id: string }) {
  const [version, setVersion] = useState(0);
  const user = useLoad(() => getUser(id), [id, version]);
  const groups = useLoad(() => userGroups(id), [id]);
  const [dialog, setDialog] = useState<'reset' | 'delete' | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const toggle = useSubmit(async () => {
    if (user.state !== 'ready') return;
    const enable = !user.value.accountEnabled;
    await setAccountEnabled(id, enable);
    const message = enable
      ? `${user.value.displayName} can sign in again.`
      : `${user.value.displayName} was disabled: they cannot sign in, and their sessions ended.`;
    setNotice(message);
    announce(message);
    setVersion((v) => v + 1);
  });

  return (
    <>
      <p>
        <AppLink href={entraHref('users')}>← All users</AppLink>
      </p>
      {user.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {user.state === 'failed' && <Alert>{user.message}</Alert>}
      {user.state === 'ready' && (
        <section class="panel" aria-labelledby="user-heading">
          <div class="panel-head">
            <h2 id="user-heading">{user.value.displayName || user.value.userPrincipalName}</h2>
          </div>
          <dl class="permissions">
            <dt>User principal name</dt>
            <dd>{user.value.userPrincipalName}</dd>
            <dt>Object ID</dt>
            <dd>
              <code>{user.value.id}</code>
            </dd>
            <dt>Account enabled</dt>
            <dd>{yesNo(user.value.accountEnabled)}</dd>
            <dt>User type</dt>
            <dd>{user.value.userType}</dd>
            {user.value.createdDateTime && (
              <>
                <dt>Created</dt>
                <dd>{new Date(user.value.createdDateTime).toLocaleString()}</dd>
              </>
            )}
          </dl>
          {notice && <p role="status">{notice}</p>}
          {toggle.error && <Alert>{toggle.error}</Alert>}
          <div class="actions">
            <button type="button" class="button" onClick={() => setDialog('reset')}>
              Reset password
            </button>
            <button type="button" class="button" disabled={toggle.busy} onClick={() => void toggle.submit()}>
              {toggle.busy ? 'Saving…' : user.value.accountEnabled ? 'Disable sign-in' : 'Enable sign-in'}
            </button>
            <button type="button" class="button danger" onClick={() => setDialog('delete')}>
              Delete user
            </button>
          </div>
          {dialog === 'reset' && (
            <ResetPasswordDialog
              user={user.value}
              onClose={() => setDialog(undefined)}
              onReset={(message) => {
                setNotice(message);
                announce(message);
              }}
            />
          )}
          {dialog === 'delete' && (
            <ConfirmDelete
              kind="user"
              name={user.value.displayName}
              consequence={`${user.value.userPrincipalName} can no longer sign in, and leaves every group and app role. Their Azure role assignments stay until you remove them.`}
              onDelete={async () => {
                await deleteUser(id);
                announce(`${user.value.displayName} was deleted.`);
                navigate(entraHref('users'));
              }}
              onClose={() => setDialog(undefined)}
            />
          )}
        </section>
      )}
      <section class="panel" aria-labelledby="user-groups-heading">
        <h2 id="user-groups-heading">Group memberships</h2>
        {groups.state === 'loading' && (
          <p class="loading" aria-busy="true">
            Loading…
          </p>
        )}
        {groups.state === 'failed' && <Alert>{groups.message}</Alert>}
        {groups.state === 'ready' && groups.value.length === 0 && (
          <EmptyState title="Not in any group">
            <p>
              Open a group under <AppLink href={entraHref('groups')}>Groups</AppLink> and add this user with
              Add member.
            </p>
          </EmptyState>
        )}
        {groups.state === 'ready' && groups.value.length > 0 && (
          <DataTable<Membership>
            caption="Group memberships"
            what="groups"
            items={groups.value}
            keyOf={(g) => g.id}
            textOf={(g) => `${g.displayName} ${g.description}`}
            initialSort={{ column: 'Group' }}
            columns={[
              {
                header: 'Group',
                sortValue: (g) => g.displayName,
                cell: (g) => <AppLink href={entraHref('groups', g.id)}>{g.displayName}</AppLink>,
              },
              { header: 'Description', sortValue: (g) => g.description, cell: (g) => g.description },
            ]}
          />
        )}
      </section>
    </>
  );
}
