import { useRef, useState } from 'preact/hooks';
import type { Principal } from '../../../api/directoryObjects.js';
import { deleteGroup, getGroup, listMembers } from '../../../api/graphGroups.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useLoad } from '../../components/useLoad.js';
import { PlusIcon, TrashIcon } from '../../icons.js';
import { entraHref, navigate } from '../../router.js';
import { AddMemberDialog } from './AddMemberDialog.js';
import { RemoveMemberDialog } from './RemoveMemberDialog.js';

/** Where a member's name leads: users and groups have pages here. */
const memberHref = (member: Principal): string | undefined =>
  member.type === 'User'
    ? entraHref('users', member.id)
    : member.type === 'Group'
      ? entraHref('groups', member.id)
      : undefined;

/** One group: its members (add, remove) and deleting it. */
export function GroupPage({ id }: { id: string }) {
  const group = useLoad(() => getGroup(id), [id]);
  const [version, setVersion] = useState(0);
  const members = useLoad(() => listMembers(id), [id, version]);
  const [dialog, setDialog] = useState<'add' | 'delete' | { remove: Principal } | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const addButton = useRef<HTMLButtonElement>(null);
  const done = (message: string) => {
    setDialog(undefined);
    setNotice(message);
    announce(message);
    setVersion((v) => v + 1);
    requestAnimationFrame(() => addButton.current?.focus());
  };

  return (
    <>
      <p>
        <AppLink href={entraHref('groups')}>← All groups</AppLink>
      </p>
      {group.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {group.state === 'failed' && <Alert>{group.message}</Alert>}
      {group.state === 'ready' && (
        <>
          <section class="panel" aria-labelledby="group-heading">
            <div class="panel-head">
              <h2 id="group-heading">{group.value.displayName}</h2>
              <button type="button" class="button danger" onClick={() => setDialog('delete')}>
                <TrashIcon />
                Delete group
              </button>
            </div>
            <dl class="permissions">
              <dt>Description</dt>
              <dd>{group.value.description || 'None'}</dd>
              <dt>Object ID</dt>
              <dd>
                <code>{group.value.id}</code>
              </dd>
              <dt>Type</dt>
              <dd>Security group</dd>
            </dl>
          </section>
          <section class="panel" aria-labelledby="members-heading">
            <div class="panel-head">
              <h2 id="members-heading">Members</h2>
              <button ref={addButton} type="button" class="button primary" onClick={() => setDialog('add')}>
                <PlusIcon />
                Add member
              </button>
            </div>
            {notice && <p role="status">{notice}</p>}
            {members.state === 'loading' && (
              <p class="loading" aria-busy="true">
                Loading…
              </p>
            )}
            {members.state === 'failed' && <Alert>{members.message}</Alert>}
            {members.state === 'ready' && members.value.length === 0 && (
              <EmptyState title="No members yet">
                <p>Add users, groups or service principals with Add member.</p>
              </EmptyState>
            )}
            {members.state === 'ready' && members.value.length > 0 && (
              <DataTable<Principal>
                caption="Members"
                what="members"
                items={members.value}
                keyOf={(m) => m.id}
                textOf={(m) => `${m.displayName} ${m.kind} ${m.detail}`}
                initialSort={{ column: 'Name' }}
                columns={[
                  {
                    header: 'Name',
                    sortValue: (m) => m.displayName,
                    cell: (m) => {
                      const href = memberHref(m);
                      return (
                        <>
                          {href ? (
                            <AppLink class="cell-main" href={href}>
                              {m.displayName || m.id}
                            </AppLink>
                          ) : (
                            <span class="cell-main">{m.displayName || m.id}</span>
                          )}
                          {m.detail && <span class="cell-detail">{m.detail}</span>}
                        </>
                      );
                    },
                  },
                  { header: 'Type', sortValue: (m) => m.kind, cell: (m) => m.kind },
                ]}
                actions={(m) => (
                  <button
                    type="button"
                    class="button icon-button"
                    aria-label={`Remove ${m.displayName} from the group`}
                    title={`Remove ${m.displayName}`}
                    onClick={() => setDialog({ remove: m })}
                  >
                    <TrashIcon />
                  </button>
                )}
              />
            )}
          </section>
          {dialog === 'add' && (
            <AddMemberDialog
              group={group.value}
              exclude={
                new Set([
                  id.toLowerCase(),
                  ...(members.state === 'ready' ? members.value.map((m) => m.id) : []),
                ])
              }
              onClose={() => setDialog(undefined)}
              onAdded={(member) => done(`${member.displayName} was added to ${group.value.displayName}.`)}
            />
          )}
          {typeof dialog === 'object' && (
            <RemoveMemberDialog
              group={group.value}
              member={dialog.remove}
              onClose={() => setDialog(undefined)}
              onRemoved={() =>
                done(`${dialog.remove.displayName} was removed from ${group.value.displayName}.`)
              }
            />
          )}
          {dialog === 'delete' && (
            <ConfirmDelete
              kind="group"
              name={group.value.displayName}
              consequence="Its members lose what the group grants (Azure roles, app roles), unless they have it another way. The members themselves stay."
              onDelete={async () => {
                await deleteGroup(id);
                announce(`Group ${group.value.displayName} was deleted.`);
                navigate(entraHref('groups'));
              }}
              onClose={() => setDialog(undefined)}
            />
          )}
        </>
      )}
    </>
  );
}
