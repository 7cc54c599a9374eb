import { useEffect, useRef, useState } from 'preact/hooks';
import type { Asset, AssetFile, Locator } from '../../../api/mediaServices.js';
import {
  LocatorType,
  hlsManifestUrl,
  listAssetFiles,
  listAssetLocators,
  publishAsset,
} from '../../../api/mediaServices.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { DataTable } from '../../components/DataTable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Field } from '../../components/Field.js';
import { useLoad } from '../../components/useLoad.js';
import { useSubmit } from '../../components/useSubmit.js';
import { HlsPlayer } from '../player/HlsPlayer.js';
import { formatBytes } from './format.js';

interface Details {
  files: AssetFile[];
  locator: Locator | undefined;
}

/** The asset's streaming locator still in its window, if it has one. */
const originLocatorOf = (locators: Locator[]): Locator | undefined => {
  const now = Date.now();
  return locators.find(
    (l) => l.type === LocatorType.OnDemandOrigin && (!l.expires || Date.parse(l.expires) > now),
  );
};

/** One asset: its files, and publishing and playing it when it holds a streaming manifest (.ism). */
export function AssetDetails({
  account,
  asset,
  onClose,
}: {
  account: string;
  asset: Asset;
  onClose: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [asset.id]);
  const details = useLoad<Details>(async () => {
    const [files, locators] = await Promise.all([
      listAssetFiles(account, asset.id),
      listAssetLocators(account, asset.id),
    ]);
    return { files, locator: originLocatorOf(locators) };
  }, [account, asset.id]);

  return (
    <section class="panel" aria-labelledby="asset-heading">
      <div class="panel-head">
        <h2 id="asset-heading" ref={heading} tabIndex={-1}>
          Asset {asset.name || asset.id}
        </h2>
        <button type="button" class="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p class="panel-description">
        <code>{asset.id}</code>
      </p>
      {details.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {details.state === 'failed' && <Alert>{details.message}</Alert>}
      {details.state === 'ready' && (
        <>
          <h3>Files</h3>
          {details.value.files.length === 0 ? (
            <EmptyState title="This asset has no files">
              An upload that did not finish leaves an empty asset. Delete it and upload the file again.
            </EmptyState>
          ) : (
            <DataTable<AssetFile>
              caption={`Files of ${asset.name}`}
              what="files"
              items={details.value.files}
              keyOf={(f) => f.id}
              textOf={(f) => `${f.name} ${f.mimeType}`}
              initialSort={{ column: 'Name' }}
              columns={[
                { header: 'Name', cell: (f) => f.name, sortValue: (f) => f.name },
                { header: 'Size', cell: (f) => formatBytes(f.size), sortValue: (f) => f.size },
                { header: 'Type', cell: (f) => f.mimeType, sortValue: (f) => f.mimeType, secondary: true },
                {
                  header: 'Primary',
                  cell: (f) => (f.isPrimary ? 'Yes' : ''),
                  sortValue: (f) => (f.isPrimary ? 0 : 1),
                  secondary: true,
                },
              ]}
            />
          )}
          <Streaming
            account={account}
            asset={asset}
            files={details.value.files}
            locator={details.value.locator}
          />
        </>
      )}
    </section>
  );
}

function Streaming(props: {
  account: string;
  asset: Asset;
  files: AssetFile[];
  locator: Locator | undefined;
}) {
  const { account, asset } = props;
  const [locator, setLocator] = useState(props.locator);
  const [playing, setPlaying] = useState(false);
  const ism = props.files.find((f) => /\.ism$/i.test(f.name));
  const publish = useSubmit(async () => {
    setLocator(await publishAsset(account, asset.id));
    announce(`${asset.name} is published for streaming.`);
  });

  if (!ism) {
    return (
      <>
        <h3>Streaming</h3>
        <EmptyState title="Nothing to stream yet">
          This asset holds source files. Encode it with the Adaptive Streaming preset: the output asset has a
          streaming manifest (.ism) and can be published and played here.
        </EmptyState>
      </>
    );
  }
  const manifest = locator && hlsManifestUrl(locator, ism.name);
  return (
    <>
      <h3>Streaming</h3>
      {!manifest ? (
        <>
          <p class="hint">
            Publishing creates a streaming locator with a read policy, valid for a year: anyone with its URL
            can play the asset.
          </p>
          {publish.error && <Alert>{publish.error}</Alert>}
          <div class="actions">
            <button
              type="button"
              class="button primary"
              disabled={publish.busy}
              onClick={() => publish.submit()}
            >
              {publish.busy ? 'Publishing…' : 'Publish'}
            </button>
          </div>
        </>
      ) : (
        <>
          <Field
            label="HLS manifest URL"
            hint="Paste it into any HLS player; the locator expires on the date below."
          >
            {(ids) => <input {...ids} type="text" readOnly class="url-input" value={manifest} />}
          </Field>
          {locator.expires && <p class="hint">Expires {new Date(locator.expires).toLocaleString()}.</p>}
          <div class="actions">
            <button type="button" class="button primary" onClick={() => setPlaying(!playing)}>
              {playing ? 'Close player' : 'Play'}
            </button>
          </div>
          {playing && <HlsPlayer src={manifest} title={`${asset.name} (HLS)`} />}
        </>
      )}
    </>
  );
}
