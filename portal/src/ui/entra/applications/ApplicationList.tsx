import { useRef, useState } from 'preact/hooks';
import type { AppSummary } from '../../../api/applications.js';
import { SIGN_IN_AUDIENCES, listApplications } from '../../../api/applications.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useLoad } from '../../components/useLoad.js';
import { PlusIcon } from '../../icons.js';
import { entraHref } from '../../router.js';
import { CreateApplicationForm } from './CreateApplicationForm.js';
import { dateOf, timeOf } from './Properties.js';

const audienceLabel = (value: string): string =>
  SIGN_IN_AUDIENCES.find((a) => a.value === value)?.label ?? value;

/** Every application registered in the tenant, newest first, and the form that registers one. */
export function ApplicationList() {
  const apps = useLoad(listApplications, []);
  const [creating, setCreating] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setCreating(false);
    requestAnimationFrame(() => button.current?.focus());
  };
  return (
    <section class="panel" aria-labelledby="app-registrations-heading">
      <div class="panel-head">
        <h2 id="app-registrations-heading">App registrations</h2>
        <button
          ref={button}
          type="button"
          class="button primary"
          aria-expanded={creating}
          aria-controls="new-registration"
          onClick={() => setCreating(!creating)}
        >
          <PlusIcon />
          New registration
        </button>
      </div>
      <p class="panel-description">
        Applications that sign people in or call APIs with this directory’s tokens: their redirect URIs, the
        APIs they expose, their roles and their credentials.
      </p>
      {creating && (
        <div id="new-registration">
          <CreateApplicationForm onCancel={close} />
        </div>
      )}
      {apps.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {apps.state === 'failed' && <Alert>{apps.message}</Alert>}
      {apps.state === 'ready' && apps.value.length === 0 && (
        <EmptyState title="No applications are registered yet">
          <p>
            Choose <strong>New registration</strong> to register one; its client id and a secret or
            certificate are what it signs in with.
          </p>
        </EmptyState>
      )}
      {apps.state === 'ready' && apps.value.length > 0 && (
        <DataTable<AppSummary>
          caption="App registrations"
          what="applications"
          items={apps.value}
          keyOf={(a) => a.id}
          textOf={(a) => `${a.displayName} ${a.appId}`}
          filterLabel="Filter applications"
          filterHint="By display name or application (client) id."
          initialSort={{ column: 'Created', descending: true }}
          columns={[
            {
              header: 'Display name',
              cell: (a) => <AppLink href={entraHref('applications', a.id)}>{a.displayName}</AppLink>,
              sortValue: (a) => a.displayName,
            },
            {
              header: 'Application (client) ID',
              cell: (a) => <code>{a.appId}</code>,
              sortValue: (a) => a.appId,
              secondary: true,
            },
            {
              header: 'Supported accounts',
              cell: (a) => audienceLabel(a.signInAudience),
              sortValue: (a) => a.signInAudience,
              secondary: true,
            },
            {
              header: 'Created',
              cell: (a) => dateOf(a.createdDateTime),
              sortValue: (a) => timeOf(a.createdDateTime),
            },
          ]}
        />
      )}
    </section>
  );
}
