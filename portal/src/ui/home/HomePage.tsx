import { useState } from 'preact/hooks';
import type { ConfigurationStore, MediaServicesAccount, ResourceGroup, Subscription } from '../../api/arm.js';
import {
  deleteResource,
  deleteResourceGroup,
  listConfigurationStores,
  listMediaServicesAccounts,
  listResourceGroups,
  listSubscriptions,
} from '../../api/arm.js';
import { announce } from '../announcer.js';
import { EmptyState } from '../components/EmptyState.js';
import { ResourceSection } from '../components/ResourceSection.js';
import { useLoad } from '../components/useLoad.js';
import { FilmIcon, FolderIcon, KeyIcon } from '../icons.js';
import { AppLink } from '../components/AppLink.js';
import { IamLink } from '../iam/IamLink.js';
import { appConfigHref, mediaHref } from '../router.js';
import { ConfigurationStoreForm, MediaServicesForm, ResourceGroupForm } from './forms.js';
import { SubscriptionsSection } from './SubscriptionsSection.js';

const Code = ({ children }: { children: string }) => <code>{children}</code>;

/**
 * Home: the subscriptions the person can see, and in the chosen one its resource groups, App
 * Configuration stores and Media Services accounts, each with create and delete. Every list is
 * what ARM returns for this person's token, so it shows exactly what their roles allow.
 */
export function HomePage() {
  const subscriptions = useLoad(listSubscriptions, []);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const list = subscriptions.state === 'ready' ? subscriptions.value : [];
  const subscription: Subscription | undefined = list.find((s) => s.subscriptionId === chosen) ?? list[0];
  return (
    <div class="page">
      <h1>Home</h1>
      <SubscriptionsSection subscriptions={subscriptions} chosen={subscription} onChoose={setChosen} />
      {subscription && (
        <SubscriptionResources key={subscription.subscriptionId} subscription={subscription} />
      )}
    </div>
  );
}

function SubscriptionResources({ subscription }: { subscription: Subscription }) {
  const { subscriptionId } = subscription;
  // Any change reloads every list: deleting a group deletes the stores and accounts in it.
  const [version, setVersion] = useState(0);
  const changed = (message: string) => {
    announce(message);
    setVersion((v) => v + 1);
  };
  const groups = useLoad(() => listResourceGroups(subscriptionId), [subscriptionId, version]);
  const stores = useLoad(() => listConfigurationStores(subscriptionId), [subscriptionId, version]);
  const accounts = useLoad(() => listMediaServicesAccounts(subscriptionId), [subscriptionId, version]);
  const groupList: ResourceGroup[] = groups.state === 'ready' ? groups.value : [];
  const needsGroup =
    groupList.length === 0 ? 'Create a resource group first: every resource lives in one.' : undefined;

  return (
    <>
      <ResourceSection<ResourceGroup>
        id="resource-groups"
        title="Resource groups"
        icon={FolderIcon}
        kind="resource group"
        description={`Containers for resources in ${subscription.displayName}. Access granted on a group applies to everything in it.`}
        items={groups}
        nameOf={(g) => g.name}
        columns={[
          { header: 'Name', cell: (g) => g.name, sortValue: (g) => g.name },
          { header: 'Region', cell: (g) => g.location, sortValue: (g) => g.location },
          { header: 'Access', cell: (g) => <IamLink scope={g.id} name={g.name} /> },
        ]}
        empty={
          <EmptyState title="No resource groups yet">
            <p>
              Create one with <strong>Create resource group</strong> above, then add App Configuration stores
              and Media Services accounts to it.
            </p>
          </EmptyState>
        }
        createForm={(close) => (
          <ResourceGroupForm
            subscriptionId={subscriptionId}
            onCancel={() => close()}
            onCreated={(name) => {
              close(name);
              changed(`Resource group ${name} created.`);
            }}
          />
        )}
        onDelete={async (g) => {
          await deleteResourceGroup(subscriptionId, g.name);
          changed(`Resource group ${g.name} deleted.`);
        }}
        deleteConsequence={(g) =>
          `Everything in ${g.name} is deleted with it: its App Configuration stores, Media Services accounts and role assignments. This cannot be undone.`
        }
      />
      <ResourceSection<ConfigurationStore>
        id="configuration-stores"
        title="App Configuration stores"
        icon={KeyIcon}
        kind="App Configuration store"
        description="Key-values, feature flags and snapshots that applications read at start-up and on refresh."
        items={stores}
        nameOf={(s) => s.name}
        columns={[
          {
            header: 'Name',
            cell: (s) => (
              <AppLink href={appConfigHref(s.id)}>
                {s.name}
                <span class="visually-hidden"> (open the explorer)</span>
              </AppLink>
            ),
            sortValue: (s) => s.name,
          },
          { header: 'Resource group', cell: (s) => s.resourceGroup, sortValue: (s) => s.resourceGroup },
          { header: 'Region', cell: (s) => s.location, secondary: true, sortValue: (s) => s.location },
          { header: 'Tier', cell: (s) => s.sku, secondary: true, sortValue: (s) => s.sku },
          { header: 'Endpoint', cell: (s) => <Code>{s.endpoint}</Code>, secondary: true },
          { header: 'Access', cell: (s) => <IamLink scope={s.id} name={s.name} /> },
        ]}
        empty={
          <EmptyState title="No App Configuration stores">
            <p>
              Create a store to keep settings and feature flags. Applications then connect to its endpoint
              with <code>@azure/app-configuration</code> and a token, or with an access key.
            </p>
          </EmptyState>
        }
        createBlocked={groups.state === 'ready' ? needsGroup : undefined}
        createForm={(close) => (
          <ConfigurationStoreForm
            subscriptionId={subscriptionId}
            groups={groupList}
            onCancel={() => close()}
            onCreated={(name) => {
              close(name);
              changed(`App Configuration store ${name} created.`);
            }}
          />
        )}
        onDelete={async (s) => {
          await deleteResource(s.id, 'configurationStore');
          changed(`App Configuration store ${s.name} deleted.`);
        }}
        deleteConsequence={(s) =>
          `Every key-value, revision and snapshot in ${s.name} is deleted. This cannot be undone.`
        }
      />
      <ResourceSection<MediaServicesAccount>
        id="media-accounts"
        title="Media Services accounts"
        icon={FilmIcon}
        kind="Media Services account"
        description="Assets, encoding jobs, streaming locators and live channels, through the Media Services v2 REST API."
        items={accounts}
        nameOf={(a) => a.name}
        columns={[
          {
            header: 'Name',
            cell: (a) => (
              <AppLink href={mediaHref(a.id)}>
                {a.name}
                <span class="visually-hidden"> (open assets, jobs and live streams)</span>
              </AppLink>
            ),
            sortValue: (a) => a.name,
          },
          { header: 'Resource group', cell: (a) => a.resourceGroup, sortValue: (a) => a.resourceGroup },
          { header: 'Region', cell: (a) => a.location, secondary: true, sortValue: (a) => a.location },
          { header: 'API endpoint', cell: (a) => <Code>{a.apiEndpoint}</Code>, secondary: true },
          { header: 'Access', cell: (a) => <IamLink scope={a.id} name={a.name} /> },
        ]}
        empty={
          <EmptyState title="No Media Services accounts">
            <p>Create an account to upload and encode assets and to run live channels.</p>
          </EmptyState>
        }
        createBlocked={groups.state === 'ready' ? needsGroup : undefined}
        createForm={(close) => (
          <MediaServicesForm
            subscriptionId={subscriptionId}
            groups={groupList}
            onCancel={() => close()}
            onCreated={(name) => {
              close(name);
              changed(`Media Services account ${name} created.`);
            }}
          />
        )}
        onDelete={async (a) => {
          await deleteResource(a.id, 'mediaServices');
          changed(`Media Services account ${a.name} deleted.`);
        }}
        deleteConsequence={(a) =>
          `Every asset, job and channel of ${a.name} is deleted. This cannot be undone.`
        }
      />
    </>
  );
}
