import { useRef, useState } from 'preact/hooks';
import type { DirectoryGroup } from '../../../api/graphGroups.js';
import { listGroups } from '../../../api/graphGroups.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useLoad } from '../../components/useLoad.js';
import { PlusIcon } from '../../icons.js';
import { entraHref, navigate } from '../../router.js';
import { CreateGroupDialog } from './CreateGroupDialog.js';

/** The directory's groups, and a way to create one (which then opens, to add its members). */
export function GroupsList() {
  const groups = useLoad(listGroups, []);
  const [creating, setCreating] = useState(false);
  const newButton = useRef<HTMLButtonElement>(null);
  return (
    <section class="panel" aria-labelledby="groups-heading">
      <div class="panel-head">
        <h2 id="groups-heading">Groups</h2>
        <button ref={newButton} type="button" class="button primary" onClick={() => setCreating(true)}>
          <PlusIcon />
          New group
        </button>
      </div>
      <p class="panel-description">
        Security groups: grant a role to a group once, and everyone in it has it.
      </p>
      {groups.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {groups.state === 'failed' && <Alert>{groups.message}</Alert>}
      {groups.state === 'ready' && groups.value.length === 0 && (
        <EmptyState title="No groups yet">
          <p>Create one with New group, then add users, groups or service principals to it.</p>
        </EmptyState>
      )}
      {groups.state === 'ready' && groups.value.length > 0 && (
        <DataTable<DirectoryGroup>
          caption="Groups"
          what="groups"
          items={groups.value}
          keyOf={(g) => g.id}
          textOf={(g) => `${g.displayName} ${g.description}`}
          initialSort={{ column: 'Name' }}
          columns={[
            {
              header: 'Name',
              sortValue: (g) => g.displayName,
              cell: (g) => <AppLink href={entraHref('groups', g.id)}>{g.displayName}</AppLink>,
            },
            { header: 'Description', sortValue: (g) => g.description, cell: (g) => g.description },
            {
              header: 'Created',
              sortValue: (g) => g.createdDateTime,
              cell: (g) => (g.createdDateTime ? new Date(g.createdDateTime).toLocaleDateString() : ''),
              secondary: true,
            },
          ]}
        />
      )}
      {creating && (
        <CreateGroupDialog
          onClose={() => {
            setCreating(false);
            requestAnimationFrame(() => newButton.current?.focus());
          }}
          onCreated={(group) => {
            announce(`Group ${group.displayName} was created. Add its members here.`);
            navigate(entraHref('groups', group.id));
          }}
        />
      )}
    </section>
  );
}
