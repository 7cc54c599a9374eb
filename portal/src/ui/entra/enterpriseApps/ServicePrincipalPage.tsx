import { useState } from 'preact/hooks';
import { listGraph, odataLiteral } from '../../../api/graphPages.js';
import type { ServicePrincipalDetails } from '../../../api/servicePrincipals.js';
import { getServicePrincipal } from '../../../api/servicePrincipals.js';
import { accountStore } from '../../../auth/accounts.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { Tabs } from '../../components/Tabs.js';
import { useLoad } from '../../components/useLoad.js';
import { entraHref } from '../../router.js';
import { Properties } from '../applications/Properties.js';
import { AssignedToTab } from './AssignedToTab.js';
import { GrantedTab } from './GrantedTab.js';
import { ownerLabel, typeLabel } from './kinds.js';
import { SignInSwitch } from './SignInSwitch.js';

const TABS = [
  { key: 'assigned', label: 'Users and groups' },
  { key: 'granted', label: 'Permissions granted' },
] as const;
type PrincipalTab = (typeof TABS)[number]['key'];

/** One enterprise application: its properties, who holds its roles, and the roles it holds. */
export function ServicePrincipalPage({ id }: { id: string }) {
  const loaded = useLoad(() => getServicePrincipal(id), [id]);
  const [tab, setTab] = useState<PrincipalTab>('assigned');
  // What Graph accepted since the page loaded (the switch), over what it loaded.
  const [enabled, setEnabled] = useState<{ id: string; value: boolean } | undefined>(undefined);
  return (
    <>
      <AppLink href={entraHref('enterpriseApplications')} class="back-link">
        ← All enterprise applications
      </AppLink>
      {loaded.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {loaded.state === 'failed' && <Alert>{loaded.message}</Alert>}
      {loaded.state === 'ready' && (
        <section class="panel" aria-labelledby="service-principal-heading">
          <div class="panel-head">
            <h2 id="service-principal-heading">{loaded.value.displayName}</h2>
          </div>
          <PrincipalProperties
            sp={{
              ...loaded.value,
              accountEnabled: enabled?.id === id ? enabled.value : loaded.value.accountEnabled,
            }}
            onEnabledChanged={(value) => setEnabled({ id, value })}
          />
          <Tabs label="Enterprise application" tabs={[...TABS]} selected={tab} onSelect={setTab}>
            {tab === 'assigned' && <AssignedToTab sp={loaded.value} />}
            {tab === 'granted' && <GrantedTab sp={loaded.value} />}
          </Tabs>
        </section>
      )}
    </>
  );
}

/** The registration behind it, when this directory owns it (Graph finds it by appId). */
async function registrationOf(sp: ServicePrincipalDetails): Promise<string | undefined> {
  if (sp.type !== 'Application') return undefined;
  const query = new URLSearchParams({ $filter: `appId eq ${odataLiteral(sp.appId)}`, $select: 'id' });
  const [app] = await listGraph(`/v1.0/applications?${query.toString()}`);
  return typeof app?.id === 'string' ? app.id : undefined;
}

function PrincipalProperties(props: {
  sp: ServicePrincipalDetails;
  onEnabledChanged: (enabled: boolean) => void;
}) {
  const { sp, onEnabledChanged } = props;
  const tenantId = accountStore.active()?.tenantId ?? '';
  const registration = useLoad(() => registrationOf(sp), [sp.id]);
  const registrationId = registration.state === 'ready' ? registration.value : undefined;
  return (
    <>
      <Properties
        label="Properties"
        items={[
          ['Name', sp.displayName],
          ['Application ID', <code>{sp.appId}</code>],
          ['Object ID', <code>{sp.id}</code>],
          ['Type', typeLabel(sp.type)],
          ['Owner', ownerLabel(sp.appOwnerOrganizationId, tenantId)],
          ['Enabled for sign-in', sp.accountEnabled ? 'Yes' : 'No'],
          ['Service principal names', sp.servicePrincipalNames.join(', ')],
          [
            'App registration',
            registrationId ? (
              <AppLink href={entraHref('applications', registrationId)}>
                Open the app registration<span class="visually-hidden"> of {sp.displayName}</span>
              </AppLink>
            ) : sp.type === 'ManagedIdentity' ? (
              'None: a managed identity has no app registration.'
            ) : (
              'Registered in another directory.'
            ),
          ],
        ]}
      />
      {/* A managed identity's principal follows its identity resource: Graph does not change it. */}
      {sp.type !== 'ManagedIdentity' && (
        <SignInSwitch
          id={sp.id}
          displayName={sp.displayName}
          enabled={sp.accountEnabled}
          onChanged={onEnabledChanged}
        />
      )}
    </>
  );
}
