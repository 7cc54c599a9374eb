import { useState } from 'preact/hooks';
import type { Snapshot } from '../../api/appConfigurationSnapshots.js';
import { listSnapshots, setSnapshotStatus } from '../../api/appConfigurationSnapshots.js';
import { Alert } from '../components/Alert.js';
import { DataTable } from '../components/DataTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { CreateSnapshotDialog } from './CreateSnapshotDialog.js';
import { SnapshotItemsDialog } from './SnapshotItemsDialog.js';
import { explained, timeText } from './refusals.js';
import { StoreListHead, useStoreList } from './storeListPanel.js';

const STATUS_TEXT: Record<Snapshot['status'], string> = {
  provisioning: 'Provisioning',
  ready: 'Ready',
  archived: 'Archived',
  failed: 'Failed',
};

const COMPOSITION_TEXT: Record<Snapshot['compositionType'], string> = {
  key: 'Key (one value per key)',
  key_label: 'Key and label',
};

type Opened = { kind: 'create' } | { kind: 'items'; snapshot: Snapshot };

/** Snapshots: list, create (a long operation, followed to the end), view, archive, recover. */
export function SnapshotsTab({ store }: { store: string }) {
  const { version, reload, opened, setOpened, close, createButton, actionError, act } =
    useStoreList<Opened>();
  const [changing, setChanging] = useState<string | undefined>(undefined);
  const snapshots = useLoad(() => explained(() => listSnapshots(store)), [store, version]);
  const setStatus = async (snapshot: Snapshot, status: 'archived' | 'ready') => {
    setChanging(snapshot.name);
    await act(`snapshot '${snapshot.name}'`, async () => {
      await setSnapshotStatus(store, snapshot, status);
      return `Snapshot ${snapshot.name} ${status === 'archived' ? 'archived' : 'recovered: it is ready again'}.`;
    });
    setChanging(undefined);
  };

  return (
    <section class="panel" aria-labelledby="snapshots-heading">
      <StoreListHead
        id="snapshots-heading"
        title="Snapshots"
        reloaded="Snapshots reloaded."
        createLabel="Create snapshot"
        createButton={createButton}
        onReload={reload}
        onCreate={() => setOpened({ kind: 'create' })}
      />
      <p class="panel-description">
        Key-values frozen at a moment, which applications can load by name. An archived snapshot is kept for
        its retention period and can be recovered until it expires.
      </p>
      {actionError && <Alert>{actionError}</Alert>}
      {snapshots.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {snapshots.state === 'failed' && <Alert>{snapshots.message}</Alert>}
      {snapshots.state === 'ready' && snapshots.value.items.length === 0 && (
        <EmptyState title="No snapshots yet">
          <p>
            Create one with Create snapshot: pick the key-values by key and label filters, and the store
            copies them as they are now.
          </p>
        </EmptyState>
      )}
      {snapshots.state === 'ready' && snapshots.value.items.length > 0 && (
        <DataTable<Snapshot>
          caption="Snapshots"
          what="snapshots"
          items={snapshots.value.items}
          keyOf={(s) => s.name}
          textOf={(s) => `${s.name} ${s.status} ${s.filters.map((f) => f.key).join(' ')}`}
          filterLabel="Filter snapshots"
          initialSort={{ column: 'Created', descending: true }}
          columns={[
            {
              header: 'Name',
              sortValue: (s) => s.name,
              cell: (s) => (
                <>
                  <span class="cell-main">{s.name}</span>
                  <span class="cell-detail">
                    {s.filters.map((f) => `${f.key}${f.label === null ? '' : ` · ${f.label}`}`).join('; ')}
                  </span>
                </>
              ),
            },
            { header: 'Status', sortValue: (s) => s.status, cell: (s) => STATUS_TEXT[s.status] },
            {
              header: 'Composition',
              secondary: true,
              sortValue: (s) => s.compositionType,
              cell: (s) => COMPOSITION_TEXT[s.compositionType],
            },
            {
              header: 'Created',
              secondary: true,
              sortValue: (s) => s.created,
              cell: (s) => timeText(s.created),
            },
            {
              header: 'Expires',
              secondary: true,
              sortValue: (s) => s.expires ?? '',
              cell: (s) => (s.expires ? timeText(s.expires) : 'Never while ready'),
            },
            { header: 'Items', sortValue: (s) => s.itemsCount, cell: (s) => String(s.itemsCount) },
          ]}
          actions={(s) => (
            <div class="ac-row-actions">
              <button
                type="button"
                class="button"
                aria-haspopup="dialog"
                aria-label={`Key-values of snapshot ${s.name}`}
                disabled={s.status === 'failed' || s.status === 'provisioning'}
                onClick={() => setOpened({ kind: 'items', snapshot: s })}
              >
                Key-values
              </button>
              {(s.status === 'ready' || s.status === 'archived') && (
                <button
                  type="button"
                  class="button"
                  disabled={changing === s.name}
                  aria-label={`${s.status === 'ready' ? 'Archive' : 'Recover'} snapshot ${s.name}`}
                  onClick={() => void setStatus(s, s.status === 'ready' ? 'archived' : 'ready')}
                >
                  {s.status === 'ready' ? 'Archive' : 'Recover'}
                </button>
              )}
            </div>
          )}
        />
      )}
      {opened?.kind === 'create' && (
        <CreateSnapshotDialog
          store={store}
          onClose={() => {
            close();
            reload();
          }}
          onCreated={(message) => {
            close();
            reload(message);
          }}
        />
      )}
      {opened?.kind === 'items' && (
        <SnapshotItemsDialog store={store} snapshot={opened.snapshot} onClose={close} />
      )}
    </section>
  );
}
