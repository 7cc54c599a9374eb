import { useState } from 'preact/hooks';
import type { Asset, AssetFile, Job } from '../../api/mediaServices.js';
import { deleteAsset, listAssets, listFiles } from '../../api/mediaServices.js';
import { announce } from '../announcer.js';
import { Alert } from '../components/Alert.js';
import { AppLink } from '../components/AppLink.js';
import { ConfirmDelete } from '../components/ConfirmDelete.js';
import { DataTable } from '../components/DataTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { FilmIcon, RefreshIcon, TrashIcon } from '../icons.js';
import { mediaHref } from '../router.js';
import { AssetDetails } from './assets/AssetDetails.js';
import { EncodeDialog } from './assets/EncodeDialog.js';
import { UploadPanel } from './assets/UploadPanel.js';
import { formatBytes, formatTime, timeValue } from './assets/format.js';
import './assets/media.css';

/** An asset with what its files add up to. */
interface AssetRow extends Asset {
  files: number;
  size: number;
}

async function loadRows(account: string): Promise<AssetRow[]> {
  const [assets, files] = await Promise.all([listAssets(account), listFiles(account)]);
  const byAsset = new Map<string, AssetFile[]>();
  for (const file of files) byAsset.set(file.assetId, [...(byAsset.get(file.assetId) ?? []), file]);
  return assets.map((asset) => {
    const own = byAsset.get(asset.id) ?? [];
    return { ...asset, files: own.length, size: own.reduce((sum, f) => sum + f.size, 0) };
  });
}

/**
 * The account's assets: upload (from the browser to the asset's container, with progress), the
 * list with each asset's files and size, an asset's files, encode, publish and play, delete.
 */
export function AssetsTab({ account }: { account: string }) {
  const [version, setVersion] = useState(0);
  const [openId, setOpenId] = useState<string | undefined>(undefined);
  const [encoding, setEncoding] = useState<Asset | undefined>(undefined);
  const [deleting, setDeleting] = useState<Asset | undefined>(undefined);
  const [submitted, setSubmitted] = useState<Job | undefined>(undefined);
  const rows = useLoad(() => loadRows(account), [account, version]);
  const reload = () => setVersion((v) => v + 1);
  const open = rows.state === 'ready' ? rows.value.find((a) => a.id === openId) : undefined;

  return (
    <>
      <UploadPanel
        account={account}
        onUploaded={(asset) => {
          setOpenId(asset.id);
          reload();
        }}
      />
      {submitted && (
        <div class="panel" role="status">
          Job {submitted.name} was submitted.{' '}
          <AppLink href={mediaHref(account, 'jobs')}>Watch it on the encoding jobs dashboard</AppLink>.
        </div>
      )}
      <section class="panel" aria-labelledby="assets-heading">
        <div class="panel-head">
          <h2 id="assets-heading">
            <FilmIcon />
            Assets
          </h2>
          <button type="button" class="button" onClick={reload}>
            <RefreshIcon />
            Refresh
          </button>
        </div>
        <p class="panel-description">
          Uploaded files and the outputs of encoding jobs. Open one to see its files, publish it and play it.
        </p>
        {rows.state === 'loading' && (
          <p class="loading" aria-busy="true">
            Loading…
          </p>
        )}
        {rows.state === 'failed' && <Alert>{rows.message}</Alert>}
        {rows.state === 'ready' && rows.value.length === 0 && (
          <EmptyState title="No assets yet">
            Upload a video file above: it becomes an asset you can encode with Media Encoder Standard, then
            publish and play.
          </EmptyState>
        )}
        {rows.state === 'ready' && rows.value.length > 0 && (
          <DataTable<AssetRow>
            caption="Assets"
            what="assets"
            items={rows.value}
            keyOf={(a) => a.id}
            selectedKey={openId}
            textOf={(a) => `${a.name} ${a.state} ${a.id}`}
            filterLabel="Filter assets"
            filterHint="By name, state or id."
            initialSort={{ column: 'Created', descending: true }}
            columns={[
              { header: 'Name', cell: (a) => a.name || a.id, sortValue: (a) => a.name },
              {
                header: 'Created',
                cell: (a) => formatTime(a.created),
                sortValue: (a) => timeValue(a.created),
                secondary: true,
              },
              { header: 'State', cell: (a) => a.state, sortValue: (a) => a.state, secondary: true },
              { header: 'Files', cell: (a) => a.files, sortValue: (a) => a.files },
              { header: 'Size', cell: (a) => formatBytes(a.size), sortValue: (a) => a.size, secondary: true },
            ]}
            actions={(a) => (
              <div class="row-actions">
                <button
                  type="button"
                  class="button"
                  aria-label={`Open ${a.name}`}
                  aria-pressed={a.id === openId}
                  onClick={() => setOpenId(a.id === openId ? undefined : a.id)}
                >
                  Open
                </button>
                <button
                  type="button"
                  class="button"
                  aria-label={`Encode ${a.name}`}
                  aria-haspopup="dialog"
                  disabled={a.files === 0}
                  title={a.files === 0 ? 'An asset with no files has nothing to encode.' : undefined}
                  onClick={() => setEncoding(a)}
                >
                  Encode
                </button>
                <button
                  type="button"
                  class="button icon-button"
                  aria-label={`Delete asset ${a.name}`}
                  title={`Delete ${a.name}`}
                  onClick={() => setDeleting(a)}
                >
                  <TrashIcon />
                </button>
              </div>
            )}
          />
        )}
      </section>
      {open && (
        <AssetDetails key={open.id} account={account} asset={open} onClose={() => setOpenId(undefined)} />
      )}
      {encoding && (
        <EncodeDialog
          account={account}
          asset={encoding}
          onClose={() => setEncoding(undefined)}
          onSubmitted={(job) => {
            setEncoding(undefined);
            setSubmitted(job);
            announce(`Job ${job.name} submitted.`);
          }}
        />
      )}
      {deleting && (
        <ConfirmDelete
          kind="asset"
          name={deleting.name}
          consequence="Its files, its locators (streaming URLs stop working) and its storage container are deleted. This cannot be undone."
          onDelete={async () => {
            await deleteAsset(account, deleting.id);
            if (openId === deleting.id) setOpenId(undefined);
            setDeleting(undefined);
            announce(`Asset ${deleting.name} deleted.`);
            reload();
          }}
          onClose={() => setDeleting(undefined)}
        />
      )}
    </>
  );
}
