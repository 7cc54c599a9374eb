import { useState } from 'preact/hooks';
import type { ServicePrincipalSummary, ServicePrincipalType } from '../../../api/servicePrincipals.js';
import { listServicePrincipals } from '../../../api/servicePrincipals.js';
import { accountStore } from '../../../auth/accounts.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Field } from '../../components/Field.js';
import { useLoad } from '../../components/useLoad.js';
import { entraHref } from '../../router.js';
import { ownerLabel, typeLabel } from './kinds.js';

const TYPES: Array<{ value: ServicePrincipalType | ''; label: string }> = [
  { value: '', label: 'All' },
  { value: 'Application', label: 'Applications' },
  { value: 'ManagedIdentity', label: 'Managed identities' },
];

/**
 * The service principals of this directory: applications instantiated here (its own, Microsoft's
 * and other directories') and managed identities; Graph filters them by type.
 */
export function ServicePrincipalList() {
  const [type, setType] = useState<ServicePrincipalType | ''>('');
  const principals = useLoad(() => listServicePrincipals(type || undefined), [type]);
  const tenantId = accountStore.active()?.tenantId ?? '';
  return (
    <section class="panel" aria-labelledby="enterprise-apps-heading">
      <div class="panel-head">
        <h2 id="enterprise-apps-heading">Enterprise applications</h2>
      </div>
      <p class="panel-description">
        Applications and managed identities as this directory knows them: who is assigned to their roles, and
        what they were granted. Register a new application under App registrations.
      </p>
      <div class="filters">
        <Field label="Application type">
          {(ids) => (
            <select
              {...ids}
              value={type}
              onChange={(e) => setType(e.currentTarget.value as ServicePrincipalType | '')}
            >
              {TYPES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {principals.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {principals.state === 'failed' && <Alert>{principals.message}</Alert>}
      {principals.state === 'ready' && principals.value.length === 0 && (
        <EmptyState
          title={type === 'ManagedIdentity' ? 'No managed identities' : 'No enterprise applications'}
        >
          <p>
            {type === 'ManagedIdentity'
              ? 'Create a user-assigned identity under Managed identities: its service principal appears here.'
              : 'Register an application under App registrations and create its service principal.'}
          </p>
        </EmptyState>
      )}
      {principals.state === 'ready' && principals.value.length > 0 && (
        <DataTable<ServicePrincipalSummary>
          caption="Enterprise applications"
          what="enterprise applications"
          items={principals.value}
          keyOf={(p) => p.id}
          textOf={(p) => `${p.displayName} ${p.appId} ${p.id}`}
          filterLabel="Filter enterprise applications"
          filterHint="By name, application id or object id."
          initialSort={{ column: 'Name' }}
          columns={[
            {
              header: 'Name',
              cell: (p) => (
                <AppLink href={entraHref('enterpriseApplications', p.id)}>{p.displayName}</AppLink>
              ),
              sortValue: (p) => p.displayName,
            },
            {
              header: 'Application ID',
              cell: (p) => <code>{p.appId}</code>,
              sortValue: (p) => p.appId,
              secondary: true,
            },
            { header: 'Type', cell: (p) => typeLabel(p.type), sortValue: (p) => typeLabel(p.type) },
            {
              header: 'Owner',
              cell: (p) => ownerLabel(p.appOwnerOrganizationId, tenantId),
              sortValue: (p) => ownerLabel(p.appOwnerOrganizationId, tenantId),
              secondary: true,
            },
          ]}
        />
      )}
    </section>
  );
}
