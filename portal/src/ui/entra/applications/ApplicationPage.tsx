import { useState } from 'preact/hooks';
import { deleteApplication, getApplication } from '../../../api/applications.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { ConfirmDelete } from '../../components/ConfirmDelete.js';
import { Tabs } from '../../components/Tabs.js';
import { useLoad } from '../../components/useLoad.js';
import { TrashIcon } from '../../icons.js';
import { entraHref, navigate } from '../../router.js';
import { AppRolesTab } from './AppRolesTab.js';
import { CredentialsTab } from './CredentialsTab.js';
import { ExposeApiTab } from './ExposeApiTab.js';
import { OverviewTab } from './OverviewTab.js';
import { RedirectUrisTab } from './RedirectUrisTab.js';

const TABS = [
  { key: 'overview', label: 'Overview' },
  { key: 'authentication', label: 'Authentication' },
  { key: 'credentials', label: 'Certificates & secrets' },
  { key: 'api', label: 'Expose an API' },
  { key: 'roles', label: 'App roles' },
] as const;
type AppTab = (typeof TABS)[number]['key'];

/** One app registration: each tab reads the application as Graph last returned it and PATCHes it. */
export function ApplicationPage({ id }: { id: string }) {
  const [version, setVersion] = useState(0);
  const loaded = useLoad(() => getApplication(id), [id, version]);
  const [tab, setTab] = useState<AppTab>('overview');
  const [deleting, setDeleting] = useState(false);
  const changed = (message: string) => {
    announce(message);
    setVersion((v) => v + 1);
  };
  return (
    <>
      <AppLink href={entraHref('applications')} class="back-link">
        ← All app registrations
      </AppLink>
      {loaded.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {loaded.state === 'failed' && <Alert>{loaded.message}</Alert>}
      {loaded.state === 'ready' && (
        <section class="panel" aria-labelledby="application-heading">
          <div class="panel-head">
            <h2 id="application-heading">{loaded.value.displayName}</h2>
            <button type="button" class="button danger" onClick={() => setDeleting(true)}>
              <TrashIcon />
              Delete
            </button>
          </div>
          <Tabs label="Application settings" tabs={[...TABS]} selected={tab} onSelect={setTab}>
            {tab === 'overview' && <OverviewTab app={loaded.value} />}
            {tab === 'authentication' && <RedirectUrisTab app={loaded.value} onChanged={changed} />}
            {tab === 'credentials' && <CredentialsTab app={loaded.value} onChanged={changed} />}
            {tab === 'api' && <ExposeApiTab app={loaded.value} onChanged={changed} />}
            {tab === 'roles' && <AppRolesTab app={loaded.value} onChanged={changed} />}
          </Tabs>
          {deleting && (
            <ConfirmDelete
              kind="application"
              name={loaded.value.displayName}
              consequence="Its credentials, its service principal in this directory and the role assignments made to it go with it. Apps signing in with it stop working."
              onClose={() => setDeleting(false)}
              onDelete={async () => {
                await deleteApplication(id);
                announce(`Application ${loaded.value.displayName} deleted.`);
                navigate(entraHref('applications'));
              }}
            />
          )}
        </section>
      )}
    </>
  );
}
