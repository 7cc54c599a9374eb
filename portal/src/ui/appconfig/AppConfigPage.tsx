import { useEffect, useRef, useState } from 'preact/hooks';
import { callApi } from '../../api/http.js';
import { storeNameOf } from '../../api/appConfiguration.js';
import { Alert } from '../components/Alert.js';
import { AppLink } from '../components/AppLink.js';
import { Tabs } from '../components/Tabs.js';
import { useLoad } from '../components/useLoad.js';
import { IamLink } from '../iam/IamLink.js';
import { BASE } from '../router.js';
import { FeatureFlagsTab } from './FeatureFlagsTab.js';
import { KeyValuesTab } from './KeyValuesTab.js';
import { SnapshotsTab } from './SnapshotsTab.js';
import './appconfig.css';

type TabKey = 'keyValues' | 'featureFlags' | 'snapshots';
const TABS = [
  { key: 'keyValues', label: 'Key-values' },
  { key: 'featureFlags', label: 'Feature flags' },
  { key: 'snapshots', label: 'Snapshots' },
] satisfies { key: TabKey; label: string }[];

const STORE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.AppConfiguration\/configurationStores\/[^/]+$/i;

/** The store's endpoint as ARM reports it (where applications connect), when ARM lets the person read it. */
async function endpointOf(store: string): Promise<string> {
  const { body } = await callApi('arm', `${store}?api-version=2024-05-01`);
  const properties = (body as { properties?: { endpoint?: unknown } } | undefined)?.properties;
  return typeof properties?.endpoint === 'string' ? properties.endpoint : '';
}

/**
 * The App Configuration explorer of one store: its key-values, feature flags and snapshots,
 * through the store's data plane with the person's own token, so what they may see and change is
 * what their data roles on the store allow.
 */
export function AppConfigPage({ store }: { store: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Arriving from a link: the heading takes the focus, so a screen reader starts at the page.
  useEffect(() => heading.current?.focus(), []);
  const valid = STORE_ID.test(store);
  const name = storeNameOf(store);
  return (
    <div class="page ac-page">
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <ol>
          <li>
            <AppLink href={BASE}>Home</AppLink>
          </li>
          <li aria-current="page">{valid ? `App Configuration store ${name}` : 'App Configuration'}</li>
        </ol>
      </nav>
      <h1 ref={heading} tabIndex={-1}>
        {valid ? name : 'App Configuration'}
      </h1>
      {valid ? (
        <StoreExplorer store={store} name={name} />
      ) : (
        <Alert>
          {store ? `'${store}' is not an App Configuration store's resource id.` : 'No store was given.'} Open
          a store from its name under App Configuration stores on <a href={BASE}>Home</a>.
        </Alert>
      )}
    </div>
  );
}

function StoreExplorer({ store, name }: { store: string; name: string }) {
  const [tab, setTab] = useState<TabKey>('keyValues');
  const endpoint = useLoad(() => endpointOf(store), [store]);
  return (
    <>
      <div class="ac-store-summary">
        <p class="panel-description">
          App Configuration store. Applications connect to{' '}
          {endpoint.state === 'ready' && endpoint.value ? <code>{endpoint.value}</code> : 'its endpoint'}; the
          portal reads and writes it with your own roles on it.
        </p>
        <IamLink scope={store} name={name} />
      </div>
      <Tabs label={`Store ${name}`} tabs={TABS} selected={tab} onSelect={setTab}>
        {tab === 'keyValues' && <KeyValuesTab store={name} />}
        {tab === 'featureFlags' && <FeatureFlagsTab store={name} />}
        {tab === 'snapshots' && <SnapshotsTab store={name} />}
      </Tabs>
    </>
  );
}
