import type { RoleAssignment, ServicePrincipalDetails } from '../../../api/servicePrincipals.js';
import { getServicePrincipal, listAssignmentsOf } from '../../../api/servicePrincipals.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useLoad } from '../../components/useLoad.js';
import { entraHref } from '../../router.js';
import { dateOf, timeOf } from '../applications/Properties.js';
import { roleNameOf } from './AssignedToTab.js';

interface Granted extends RoleAssignment {
  /** The role's name on the resource, as its owner shows it. */
  roleName: string;
}

/** Each assignment with its role's name, read from the resource it is a role of (one read per resource). */
async function grantedTo(sp: ServicePrincipalDetails): Promise<Granted[]> {
  const assignments = await listAssignmentsOf(sp.id);
  const resources = new Map<string, Promise<ServicePrincipalDetails | undefined>>();
  for (const a of assignments) {
    if (!resources.has(a.resourceId))
      resources.set(
        a.resourceId,
        getServicePrincipal(a.resourceId).catch(() => undefined),
      );
  }
  return Promise.all(
    assignments.map(async (a) => {
      const resource = await resources.get(a.resourceId);
      return { ...a, roleName: resource ? roleNameOf(resource, a.appRoleId) : a.appRoleId };
    }),
  );
}

/** What this application or identity was granted: app roles of other applications (admin consent). */
export function GrantedTab({ sp }: { sp: ServicePrincipalDetails }) {
  const granted = useLoad(() => grantedTo(sp), [sp.id]);
  if (granted.state === 'loading')
    return (
      <p class="loading" aria-busy="true">
        Loading…
      </p>
    );
  if (granted.state === 'failed') return <Alert>{granted.message}</Alert>;
  if (granted.value.length === 0)
    return (
      <EmptyState title="No permissions granted">
        <p>
          It holds no role of another application. An API’s owner grants one on that API’s enterprise
          application; Azure roles on resources are granted under Access control (IAM).
        </p>
      </EmptyState>
    );
  return (
    <DataTable<Granted>
      caption="Permissions granted"
      what="permissions"
      items={granted.value}
      keyOf={(a) => a.id}
      textOf={(a) => `${a.resourceDisplayName} ${a.roleName}`}
      filterLabel="Filter permissions"
      initialSort={{ column: 'API' }}
      columns={[
        {
          header: 'API',
          cell: (a) => (
            <AppLink href={entraHref('enterpriseApplications', a.resourceId)}>
              {a.resourceDisplayName}
            </AppLink>
          ),
          sortValue: (a) => a.resourceDisplayName,
        },
        { header: 'Permission', cell: (a) => a.roleName, sortValue: (a) => a.roleName },
        {
          header: 'Granted',
          cell: (a) => dateOf(a.createdDateTime),
          sortValue: (a) => timeOf(a.createdDateTime),
          secondary: true,
        },
      ]}
    />
  );
}
