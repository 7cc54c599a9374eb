import { useState } from 'preact/hooks';
import type { KeyValue, KeyValueFilter } from '../../api/appConfiguration.js';
import { deleteKeyValue, listKeyValues, setLocked } from '../../api/appConfiguration.js';
import { FLAG_PREFIX } from '../../api/appConfigurationFlags.js';
import { Alert } from '../components/Alert.js';
import { ConfirmDelete } from '../components/ConfirmDelete.js';
import { DataTable } from '../components/DataTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { KeyValueDialog } from './KeyValueDialog.js';
import { FilterForm } from './FilterForm.js';
import { RevisionsDialog } from './RevisionsDialog.js';
import { describeItem, explained, labelText, timeText } from './refusals.js';
import { deleteRefusal, StoreListHead, useStoreList } from './storeListPanel.js';

const itemKey = (kv: KeyValue): string => `${kv.key}\u0000${kv.label ?? '\u0001'}`;

/** A value as one line of a table cell. */
const preview = (value: string | null): string =>
  value === null ? '' : value.length > 80 ? `${value.slice(0, 80)}…` : value;

type Opened =
  | { kind: 'create' }
  | { kind: 'edit'; kv: KeyValue }
  | { kind: 'revisions'; kv: KeyValue }
  | { kind: 'delete'; kv: KeyValue };

/** Key-values by key and label filter: create, edit, lock, delete, and each one's revisions. */
export function KeyValuesTab({ store }: { store: string }) {
  const [filter, setFilter] = useState<KeyValueFilter>({ key: '', label: '' });
  const { version, reload, opened, setOpened, close, createButton, actionError, act } =
    useStoreList<Opened>();
  const list = useLoad(() => explained(() => listKeyValues(store, filter)), [store, filter, version]);
  const toggleLock = (kv: KeyValue) =>
    act(describeItem(kv), async () => {
      const changed = await setLocked(store, kv, !kv.locked);
      return `${describeItem(kv)} ${changed.locked ? 'locked: it is read-only now' : 'unlocked'}.`;
    });
  const filtered = filter.key !== '' || filter.label !== '';

  return (
    <section class="panel" aria-labelledby="kv-heading">
      <StoreListHead
        id="kv-heading"
        title="Key-values"
        reloaded="Key-values reloaded."
        createLabel="Create key-value"
        createButton={createButton}
        onReload={reload}
        onCreate={() => setOpened({ kind: 'create' })}
      />
      <p class="panel-description">
        Settings applications read by key and label. Saving sends the ETag you started from, so a change
        someone made meanwhile is never overwritten unseen.
      </p>
      <FilterForm what="key-values" filter={filter} onApply={setFilter} />
      {actionError && <Alert>{actionError}</Alert>}
      {list.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {list.state === 'failed' && <Alert>{list.message}</Alert>}
      {list.state === 'ready' && list.value.items.length === 0 && (
        <EmptyState title={filtered ? 'No key-value matches these filters' : 'No key-values yet'}>
          <p>
            {filtered
              ? 'Clear the filters to see every key-value, or widen them: key filters take a trailing * for a prefix.'
              : 'Create one with Create key-value: a key, an optional label and its value. Applications then read it through the store’s endpoint.'}
          </p>
        </EmptyState>
      )}
      {list.state === 'ready' && list.value.more && (
        <p class="hint">
          Only the first 2,000 key-values are shown: narrow the key filter to see the others.
        </p>
      )}
      {list.state === 'ready' && list.value.items.length > 0 && (
        <DataTable<KeyValue>
          caption="Key-values"
          what="key-values"
          items={list.value.items}
          keyOf={itemKey}
          textOf={(kv) => `${kv.key} ${kv.label ?? ''} ${kv.value ?? ''} ${kv.contentType ?? ''}`}
          filterLabel="Search the listed key-values"
          filterHint="Searches keys, labels, values and content types of the key-values above."
          initialSort={{ column: 'Key' }}
          columns={[
            {
              header: 'Key',
              sortValue: (kv) => kv.key,
              cell: (kv) => (
                <span class="cell-main">
                  {kv.key}
                  {kv.locked && <span class="badge">Locked</span>}
                  {kv.key.startsWith(FLAG_PREFIX) && <span class="badge">Feature flag</span>}
                </span>
              ),
            },
            { header: 'Label', sortValue: (kv) => kv.label ?? '', cell: (kv) => labelText(kv.label) },
            {
              header: 'Value',
              sortValue: (kv) => kv.value ?? '',
              cell: (kv) => <span class="ac-kv-value">{preview(kv.value)}</span>,
            },
            {
              header: 'Content type',
              secondary: true,
              sortValue: (kv) => kv.contentType ?? '',
              cell: (kv) => kv.contentType ?? '',
            },
            {
              header: 'Last modified',
              secondary: true,
              sortValue: (kv) => kv.lastModified,
              cell: (kv) => timeText(kv.lastModified),
            },
          ]}
          actions={(kv) => (
            <div class="ac-row-actions">
              <button
                type="button"
                class="button"
                aria-haspopup="dialog"
                aria-label={`Edit ${describeItem(kv)}`}
                onClick={() => setOpened({ kind: 'edit', kv })}
              >
                Edit
              </button>
              <button
                type="button"
                class="button"
                aria-haspopup="dialog"
                aria-label={`Revisions of ${describeItem(kv)}`}
                onClick={() => setOpened({ kind: 'revisions', kv })}
              >
                Revisions
              </button>
              <button
                type="button"
                class="button"
                aria-label={`${kv.locked ? 'Unlock' : 'Lock'} ${describeItem(kv)}`}
                onClick={() => void toggleLock(kv)}
              >
                {kv.locked ? 'Unlock' : 'Lock'}
              </button>
              <button
                type="button"
                class="button"
                aria-haspopup="dialog"
                aria-label={`Delete ${describeItem(kv)}`}
                onClick={() => setOpened({ kind: 'delete', kv })}
              >
                Delete
              </button>
            </div>
          )}
        />
      )}
      {(opened?.kind === 'create' || opened?.kind === 'edit') && (
        <KeyValueDialog
          store={store}
          existing={opened.kind === 'edit' ? opened.kv : undefined}
          onClose={close}
          onSaved={(message) => {
            close();
            reload(message);
          }}
        />
      )}
      {opened?.kind === 'revisions' && (
        <RevisionsDialog
          store={store}
          kv={opened.kv}
          onClose={() => {
            close();
            reload();
          }}
        />
      )}
      {opened?.kind === 'delete' && (
        <ConfirmDelete
          kind="key-value"
          name={describeItem(opened.kv)}
          consequence="Applications stop receiving it at their next refresh. Its revisions stay in the history for the store's retention period."
          onDelete={async () => {
            await deleteKeyValue(store, opened.kv).catch((error: unknown) => {
              throw deleteRefusal(describeItem(opened.kv), error);
            });
            close();
            reload(`Key-value ${describeItem(opened.kv)} deleted.`);
          }}
          onClose={close}
        />
      )}
    </section>
  );
}
