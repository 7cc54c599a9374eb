import { getUserAssignedIdentity } from '../../../api/managedIdentities.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { useLoad } from '../../components/useLoad.js';
import { IamLink } from '../../iam/IamLink.js';
import { entraHref } from '../../router.js';
import { Properties } from '../applications/Properties.js';

const subscriptionOf = (id: string): string => /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? '';

/** One user-assigned identity: the ids a workload and an administrator need, and where to grant it access. */
export function IdentityPage({ id }: { id: string }) {
  const loaded = useLoad(() => getUserAssignedIdentity(id), [id]);
  return (
    <>
      <AppLink href={entraHref('managedIdentities')} class="back-link">
        ← All managed identities
      </AppLink>
      {loaded.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {loaded.state === 'failed' && <Alert>{loaded.message}</Alert>}
      {loaded.state === 'ready' && (
        <section class="panel" aria-labelledby="identity-heading">
          <div class="panel-head">
            <h2 id="identity-heading">{loaded.value.name}</h2>
          </div>
          <Properties
            label="Properties"
            items={[
              ['Resource group', loaded.value.resourceGroup],
              ['Subscription ID', <code>{subscriptionOf(loaded.value.id)}</code>],
              ['Region', loaded.value.location],
              ['Client ID', <code>{loaded.value.clientId}</code>],
              ['Object (principal) ID', <code>{loaded.value.principalId}</code>],
              ['Tenant ID', <code>{loaded.value.tenantId}</code>],
              ['Resource ID', <code>{loaded.value.id}</code>],
            ]}
          />
          <div class="actions">
            <AppLink href={entraHref('enterpriseApplications', loaded.value.principalId)}>
              Enterprise application<span class="visually-hidden"> of {loaded.value.name}</span>
            </AppLink>
            <IamLink scope={loaded.value.id} name={loaded.value.name} />
          </div>
        </section>
      )}
    </>
  );
}
