import type { DenyAssignment } from '../../api/rbac.js';
import { listDenyAssignments } from '../../api/rbac.js';
import { Alert } from '../components/Alert.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { FilterBox, Pager, usePagedList } from '../components/paging.js';
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
  const list = usePagedList(all, (d) => `${d.denyAssignmentName} ${d.description} ${whoOf(d.principals)}`);
  return (
    <section class="panel" aria-labelledby="deny-heading">
      <div class="panel-head">
        <h2 id="deny-heading">Deny assignments</h2>
      </div>
      <p class="panel-description">
        A deny assignment blocks actions even where a role allows them. They cannot be added or removed here.
      </p>
      <FilterBox label="Filter deny assignments" list={list} />
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
      {list.visible.length > 0 && (
        <div class="table-wrap">
          <table class="iam-table">
            <caption class="visually-hidden">Deny assignments</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Denied to</th>
                <th scope="col">Scope</th>
              </tr>
            </thead>
            <tbody>
              {list.visible.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <span class="cell-main">{d.denyAssignmentName}</span>
                    {d.description && <span class="cell-detail">{d.description}</span>}
                    <details>
                      <summary>Denied actions</summary>
                      <Permissions permissions={d.permissions} />
                    </details>
                  </th>
                  <td>
                    <span class="cell-main">{whoOf(d.principals)}</span>
                    {d.excludePrincipals.length > 0 && (
                      <span class="cell-detail">Except {whoOf(d.excludePrincipals)}</span>
                    )}
                  </td>
                  <td>
                    <span class="cell-main">{originOf(d.scope, scope).label}</span>
                    {d.doNotApplyToChildScopes && <span class="cell-detail">Not on child scopes</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.pages > 1 && <Pager what="deny assignments" list={list} />}
    </section>
  );
}
