import type { DenyAssignment } from '../../api/rbac.js';
import { listDenyAssignments } from '../../api/rbac.js';
import { Alert } from '../components/Alert.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { DataTable } from '../components/DataTable.js';
import { Permissions } from './Permissions.js';
import { originOf } from './scopes.js';

/** The principal id Azure's deny assignments use for everyone. */
const EVERYONE = '00000000-0000-0000-0000-000000000000';

const whoOf = (principals: DenyAssignment['principals']): string =>
  principals.map((p) => (p.id === EVERYONE ? 'Everyone' : `${p.type || 'Principal'} ${p.id}`)).join(', ') ||
  'Nobody';

/** Deny assignments that apply here: read-only, since only Azure itself (Tessera's CLI) makes them. */
export function DenyAssignmentsTab({ scope }: { scope: string }) {
  const denies = useLoad(() => listDenyAssignments(scope), [scope]);
  const all = denies.state === 'ready' ? denies.value : [];
  return (
    <section class="panel" aria-labelledby="deny-heading">
      <div class="panel-head">
        <h2 id="deny-heading">Deny assignments</h2>
      </div>
      <p class="panel-description">
        A deny assignment blocks actions even where a role allows them. They cannot be added or removed here.
      </p>
      {denies.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {denies.state === 'failed' && <Alert>{denies.message}</Alert>}
      {denies.state === 'ready' && all.length === 0 && (
        <EmptyState title="No deny assignments apply here">
          <p>
            Azure creates them for blueprints and managed applications; in Tessera an operator adds one with{' '}
            <code>tessera role deny create</code>.
          </p>
        </EmptyState>
      )}
      {all.length > 0 && (
        <DataTable<DenyAssignment>
          class="iam-table"
          caption="Deny assignments"
          what="deny assignments"
          items={all}
          keyOf={(d) => d.id}
          textOf={(d) => `${d.denyAssignmentName} ${d.description} ${whoOf(d.principals)}`}
          filterLabel="Filter deny assignments"
          initialSort={{ column: 'Name' }}
          columns={[
            {
              header: 'Name',
              cell: (d) => (
                <>
                  <span class="cell-main">{d.denyAssignmentName}</span>
                  {d.description && <span class="cell-detail">{d.description}</span>}
                  <details>
                    <summary>Denied actions</summary>
                    <Permissions permissions={d.permissions} />
                  </details>
                </>
              ),
              sortValue: (d) => d.denyAssignmentName,
            },
            {
              header: 'Denied to',
              cell: (d) => (
                <>
                  <span class="cell-main">{whoOf(d.principals)}</span>
                  {d.excludePrincipals.length > 0 && (
                    <span class="cell-detail">Except {whoOf(d.excludePrincipals)}</span>
                  )}
                </>
              ),
              sortValue: (d) => whoOf(d.principals),
            },
            {
              header: 'Scope',
              cell: (d) => (
                <>
                  <span class="cell-main">{originOf(d.scope, scope).label}</span>
                  {d.doNotApplyToChildScopes && <span class="cell-detail">Not on child scopes</span>}
                </>
              ),
              sortValue: (d) => originOf(d.scope, scope).label,
            },
          ]}
        />
      )}
    </section>
  );
}
