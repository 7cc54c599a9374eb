import type { KeyValue } from '../../api/appConfiguration.js';
import type { Snapshot } from '../../api/appConfigurationSnapshots.js';
import { listSnapshotItems } from '../../api/appConfigurationSnapshots.js';
import { Alert } from '../components/Alert.js';
import { DataTable } from '../components/DataTable.js';
import { Dialog } from '../components/Dialog.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { explained, labelText } from './refusals.js';

/** What a snapshot holds, as it was copied. */
export function SnapshotItemsDialog(props: { store: string; snapshot: Snapshot; onClose: () => void }) {
  const { store, snapshot, onClose } = props;
  const items = useLoad(
    () => explained(() => listSnapshotItems(store, snapshot.name)),
    [store, snapshot.name],
  );
  return (
    <Dialog title={`Key-values of snapshot ${snapshot.name}`} onClose={onClose}>
      <div class="ac-wide-dialog">
        {items.state === 'loading' && (
          <p class="loading" aria-busy="true">
            Loading…
          </p>
        )}
        {items.state === 'failed' && <Alert>{items.message}</Alert>}
        {items.state === 'ready' && items.value.items.length === 0 && (
          <EmptyState title="This snapshot is empty">
            <p>No key-value matched its filters when it was taken. Create another with wider filters.</p>
          </EmptyState>
        )}
        {items.state === 'ready' && items.value.items.length > 0 && (
          <DataTable<KeyValue>
            caption={`Key-values of snapshot ${snapshot.name}`}
            what="key-values"
            pageSize={8}
            items={items.value.items}
            keyOf={(kv) => `${kv.key}\u0000${kv.label ?? '\u0001'}`}
            textOf={(kv) => `${kv.key} ${kv.label ?? ''} ${kv.value ?? ''}`}
            filterLabel="Filter the snapshot's key-values"
            initialSort={{ column: 'Key' }}
            columns={[
              {
                header: 'Key',
                sortValue: (kv) => kv.key,
                cell: (kv) => <span class="cell-main">{kv.key}</span>,
              },
              { header: 'Label', sortValue: (kv) => kv.label ?? '', cell: (kv) => labelText(kv.label) },
              {
                header: 'Value',
                sortValue: (kv) => kv.value ?? '',
                cell: (kv) => <span class="ac-kv-value">{kv.value}</span>,
              },
            ]}
          />
        )}
        <div class="actions">
          <button type="button" class="button" autoFocus onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}
