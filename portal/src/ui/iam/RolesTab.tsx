import { useState } from 'preact/hooks';
import type { RoleDefinition } from '../../api/rbac.js';
import { Alert } from '../components/Alert.js';
import { Field } from '../components/Field.js';
import type { Loaded } from '../components/useLoad.js';
import { FilterBox, Pager, usePagedList } from '../components/paging.js';
import { Permissions } from './Permissions.js';
import { searchRoles } from './roleSearch.js';

type TypeFilter = 'all' | 'BuiltInRole' | 'CustomRole';

/** Every role that can be assigned here, each opening onto its actions. */
export function RolesTab({ roles }: { roles: Loaded<RoleDefinition[]> }) {
  const [type, setType] = useState<TypeFilter>('all');
  const all = (roles.state === 'ready' ? roles.value : []).filter(
    (r) => type === 'all' || r.roleType === type,
  );
  const list = usePagedList(all, (r) => `${r.roleName} ${r.description}`, 20, searchRoles);
  return (
    <section class="panel" aria-labelledby="roles-heading">
      <div class="panel-head">
        <h2 id="roles-heading">Roles</h2>
      </div>
      <p class="panel-description">
        The roles that can be assigned here, built-in and custom. Open one to see what it allows: actions on
        the management API, data actions on a resource’s own API.
      </p>
      <div class="filters">
        <FilterBox label="Filter roles" hint="By name or description." list={list} />
        <Field label="Type">
          {(ids) => (
            <select {...ids} value={type} onChange={(e) => setType(e.currentTarget.value as TypeFilter)}>
              <option value="all">All</option>
              <option value="BuiltInRole">Built-in</option>
              <option value="CustomRole">Custom</option>
            </select>
          )}
        </Field>
      </div>
      {roles.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {roles.state === 'failed' && <Alert>{roles.message}</Alert>}
      {roles.state === 'ready' && list.filtered.length === 0 && <p class="hint">No role matches.</p>}
      <ul class="role-list">
        {list.visible.map((r) => (
          <li key={r.name}>
            <details>
              <summary>
                <span class="cell-main">{r.roleName}</span>
                <span class="badge">{r.roleType === 'CustomRole' ? 'Custom' : 'Built-in'}</span>
                <span class="cell-detail">{r.description}</span>
              </summary>
              <div class="role-body">
                <Permissions permissions={r.permissions} />
                <p class="hint">
                  Assignable at:{' '}
                  {r.assignableScopes.map((s) => (
                    <code key={s}>{s} </code>
                  ))}
                </p>
              </div>
            </details>
          </li>
        ))}
      </ul>
      {list.pages > 1 && <Pager what="roles" list={list} />}
    </section>
  );
}
