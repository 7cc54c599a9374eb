import { useRef, useState } from 'preact/hooks';
import type { Principal } from '../../api/directoryObjects.js';
import { resolvePrincipals } from '../../api/directoryObjects.js';
import type { RoleDefinition } from '../../api/rbac.js';
import { listRoleAssignments } from '../../api/rbac.js';
import { announce } from '../announcer.js';
import { Alert } from '../components/Alert.js';
import { EmptyState } from '../components/EmptyState.js';
import type { Loaded } from '../components/useLoad.js';
import { useLoad } from '../components/useLoad.js';
import { PlusIcon, TrashIcon } from '../icons.js';
import { iamHref } from '../router.js';
import { AddAssignmentDialog } from './AddAssignmentDialog.js';
import { AppLink } from '../components/AppLink.js';
import { DataTable } from '../components/DataTable.js';
import { RemoveAssignmentDialog } from './RemoveAssignmentDialog.js';
import type { AssignmentRow } from './assignmentRows.js';
import { rowOf } from './assignmentRows.js';
import type { ScopeInfo } from './scopes.js';

const textOf = (r: AssignmentRow) =>
  [r.roleName, r.principalName, r.principalKind, r.principalDetail, r.origin.label].join(' ');

/** Role assignments at the scope and inherited from above, with add and remove. */
export function AssignmentsTab({ info, roles }: { info: ScopeInfo; roles: Loaded<RoleDefinition[]> }) {
  const { scope } = info;
  const [version, setVersion] = useState(0);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<AssignmentRow | undefined>(undefined);
  const addButton = useRef<HTMLButtonElement>(null);
  const assignments = useLoad(() => listRoleAssignments(scope), [scope, version]);
  const ids = assignments.state === 'ready' ? assignments.value.map((a) => a.principalId) : [];
  const principals = useLoad(
    async () => (ids.length ? resolvePrincipals(ids) : new Map<string, Principal>()),
    [ids.join(',')],
  );
  const roleMap = new Map(
    (roles.state === 'ready' ? roles.value : []).map((r): [string, RoleDefinition] => [r.name, r]),
  );
  const principalMap = principals.state === 'ready' ? principals.value : new Map<string, Principal>();
  const rows = (assignments.state === 'ready' ? assignments.value : []).map((a) =>
    rowOf(a, roleMap, principalMap, scope),
  );
  const changed = (message: string) => {
    announce(message);
    setVersion((v) => v + 1);
  };

  return (
    <section class="panel" aria-labelledby="assignments-heading">
      <div class="panel-head">
        <h2 id="assignments-heading">Role assignments</h2>
        <button
          ref={addButton}
          type="button"
          class="button primary"
          aria-haspopup="dialog"
          onClick={() => setAdding(true)}
        >
          <PlusIcon />
          Add role assignment
        </button>
      </div>
      <p class="panel-description">
        Roles granted on this {info.kind.toLowerCase()} and on the scopes above it. Remove an inherited one on
        the scope where it was made.
      </p>
      {principals.state === 'failed' && (
        <Alert>Microsoft Graph did not name the principals: {principals.message}</Alert>
      )}
      {assignments.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {assignments.state === 'failed' && <Alert>{assignments.message}</Alert>}
      {assignments.state === 'ready' && rows.length === 0 && (
        <EmptyState title="No role assignments apply here">
          <p>Add one with Add role assignment: pick a role, then a user, group or service principal.</p>
        </EmptyState>
      )}
      {assignments.state === 'ready' && rows.length > 0 && (
        <DataTable<AssignmentRow>
          caption="Role assignments"
          what="role assignments"
          items={rows}
          keyOf={(row) => row.assignment.id}
          textOf={textOf}
          filterLabel="Filter role assignments"
          filterHint="By role, name, type or scope."
          initialSort={{ column: 'Role' }}
          columns={[
            { header: 'Role', cell: (row) => row.roleName, sortValue: (row) => row.roleName },
            {
              header: 'Principal',
              cell: (row) => (
                <>
                  <span class="cell-main">{row.principalName}</span>
                  <span class="cell-detail">
                    {row.principalKind}
                    {row.principalDetail ? ` · ${row.principalDetail}` : ''}
                  </span>
                </>
              ),
              sortValue: (row) => row.principalName,
            },
            {
              header: 'Scope',
              cell: (row) =>
                row.origin.inherited ? (
                  <AppLink href={iamHref(row.assignment.scope)}>{row.origin.label}</AppLink>
                ) : (
                  <span class="cell-main">{row.origin.label}</span>
                ),
              // This scope's own first, then the inherited ones from the nearest up.
              sortValue: (row) => `${row.origin.inherited ? 1 : 0}${row.origin.label}`,
            },
          ]}
          actions={(row) =>
            !row.origin.inherited && (
              <button
                type="button"
                class="button icon-button"
                aria-label={`Remove ${row.roleName} for ${row.principalName}`}
                title="Remove"
                onClick={() => setRemoving(row)}
              >
                <TrashIcon />
              </button>
            )
          }
        />
      )}
      {adding && (
        <AddAssignmentDialog
          info={info}
          roles={roles}
          onClose={() => {
            setAdding(false);
            requestAnimationFrame(() => addButton.current?.focus());
          }}
          onAdded={(message) => {
            setAdding(false);
            changed(message);
          }}
        />
      )}
      {removing && (
        <RemoveAssignmentDialog
          row={removing}
          scopeName={`${info.kind} ${info.name}`}
          onClose={() => setRemoving(undefined)}
          onRemoved={(message) => {
            setRemoving(undefined);
            changed(message);
          }}
        />
      )}
    </section>
  );
}
