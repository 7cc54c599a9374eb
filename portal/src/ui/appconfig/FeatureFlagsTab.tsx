import { useState } from 'preact/hooks';
import type { KeyValueFilter } from '../../api/appConfiguration.js';
import { deleteKeyValue } from '../../api/appConfiguration.js';
import type { FeatureFlag } from '../../api/appConfigurationFlags.js';
import { listFeatureFlags, toggleFeatureFlag } from '../../api/appConfigurationFlags.js';
import { Alert } from '../components/Alert.js';
import { ConfirmDelete } from '../components/ConfirmDelete.js';
import { DataTable } from '../components/DataTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { FeatureFlagDialog } from './FeatureFlagDialog.js';
import { FilterForm } from './FilterForm.js';
import { filterSummary } from './flagFilters.js';
import { explained, labelText, timeText } from './refusals.js';
import { deleteRefusal, StoreListHead, useStoreList } from './storeListPanel.js';

const flagKey = (f: FeatureFlag): string => `${f.name}\u0000${f.kv.label ?? '\u0001'}`;
const describeFlag = (f: Pick<FeatureFlag, 'name'> & { kv: { label: string | null } }): string =>
  `'${f.name}' ${f.kv.label === null ? '(no label)' : `(label '${f.kv.label}')`}`;

type Opened =
  { kind: 'create' } | { kind: 'edit'; flag: FeatureFlag } | { kind: 'delete'; flag: FeatureFlag };

/** Feature flags: toggle, create, edit with their filters, delete. */
export function FeatureFlagsTab({ store }: { store: string }) {
  const [filter, setFilter] = useState<KeyValueFilter>({ key: '', label: '' });
  const { version, reload, opened, setOpened, close, createButton, actionError, act } =
    useStoreList<Opened>();
  const [toggling, setToggling] = useState<string | undefined>(undefined);
  const flags = useLoad(
    () => explained(() => listFeatureFlags(store, filter.label)),
    [store, filter, version],
  );
  const toggle = async (flag: FeatureFlag) => {
    setToggling(flagKey(flag));
    await act(`feature flag ${describeFlag(flag)}`, async () => {
      await toggleFeatureFlag(store, flag);
      return `Feature flag ${describeFlag(flag)} ${flag.enabled ? 'disabled' : 'enabled'}.`;
    });
    setToggling(undefined);
  };

  return (
    <section class="panel" aria-labelledby="ff-heading">
      <StoreListHead
        id="ff-heading"
        title="Feature flags"
        reloaded="Feature flags reloaded."
        createLabel="Create feature flag"
        createButton={createButton}
        onReload={reload}
        onCreate={() => setOpened({ kind: 'create' })}
      />
      <p class="panel-description">
        Switches applications read through Microsoft.FeatureManagement: on or off, or on for some through
        filters (a percentage, a time window, a targeted audience).
      </p>
      <FilterForm what="feature flags" filter={filter} onApply={setFilter} labelOnly />
      {actionError && <Alert>{actionError}</Alert>}
      {flags.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {flags.state === 'failed' && <Alert>{flags.message}</Alert>}
      {flags.state === 'ready' && flags.value.items.length === 0 && (
        <EmptyState title={filter.label ? 'No feature flag has this label' : 'No feature flags yet'}>
          <p>
            {filter.label
              ? 'Clear the label filter to see every feature flag.'
              : 'Create one with Create feature flag: name it as your code asks for it, then switch it on here when it is ready.'}
          </p>
        </EmptyState>
      )}
      {flags.state === 'ready' && flags.value.items.length > 0 && (
        <DataTable<FeatureFlag>
          caption="Feature flags"
          what="feature flags"
          items={flags.value.items}
          keyOf={flagKey}
          textOf={(f) =>
            `${f.name} ${f.kv.label ?? ''} ${f.description} ${f.filters.map((x) => x.name).join(' ')}`
          }
          filterLabel="Search the listed feature flags"
          initialSort={{ column: 'Name' }}
          columns={[
            {
              header: 'Name',
              sortValue: (f) => f.name,
              cell: (f) => (
                <>
                  <span class="cell-main">{f.name}</span>
                  {f.description && <span class="cell-detail">{f.description}</span>}
                  {f.problem && <span class="cell-detail">Not editable here: {f.problem}</span>}
                </>
              ),
            },
            { header: 'Label', sortValue: (f) => f.kv.label ?? '', cell: (f) => labelText(f.kv.label) },
            {
              header: 'Enabled',
              sortValue: (f) => (f.enabled ? 1 : 0),
              cell: (f) => (
                <button
                  type="button"
                  role="switch"
                  class="ac-switch"
                  aria-checked={f.enabled}
                  aria-label={`Enabled: ${describeFlag(f)}`}
                  disabled={f.problem !== undefined || f.kv.locked || toggling === flagKey(f)}
                  title={f.kv.locked ? 'Locked: unlock it under Key-values first' : undefined}
                  onClick={() => void toggle(f)}
                >
                  <span class="ac-switch-track" aria-hidden="true" />
                  <span class="ac-switch-text">{f.enabled ? 'On' : 'Off'}</span>
                </button>
              ),
            },
            {
              header: 'Filters',
              secondary: true,
              sortValue: (f) => f.filters.length,
              cell: (f) =>
                f.filters.length === 0 ? (
                  <span class="cell-detail">None: {f.enabled ? 'on for everyone' : 'off'}</span>
                ) : (
                  <ul class="ac-flag-filters">
                    {f.filters.map((x, i) => (
                      <li key={i}>{filterSummary(x)}</li>
                    ))}
                  </ul>
                ),
            },
            {
              header: 'Last modified',
              secondary: true,
              sortValue: (f) => f.kv.lastModified,
              cell: (f) => timeText(f.kv.lastModified),
            },
          ]}
          actions={(f) => (
            <div class="ac-row-actions">
              <button
                type="button"
                class="button"
                aria-haspopup="dialog"
                disabled={f.problem !== undefined}
                aria-label={`Edit feature flag ${describeFlag(f)}`}
                onClick={() => setOpened({ kind: 'edit', flag: f })}
              >
                Edit
              </button>
              <button
                type="button"
                class="button"
                aria-haspopup="dialog"
                aria-label={`Delete feature flag ${describeFlag(f)}`}
                onClick={() => setOpened({ kind: 'delete', flag: f })}
              >
                Delete
              </button>
            </div>
          )}
        />
      )}
      {(opened?.kind === 'create' || opened?.kind === 'edit') && (
        <FeatureFlagDialog
          store={store}
          existing={opened.kind === 'edit' ? opened.flag : undefined}
          onClose={close}
          onSaved={(message) => {
            close();
            reload(message);
          }}
        />
      )}
      {opened?.kind === 'delete' && (
        <ConfirmDelete
          kind="feature flag"
          name={describeFlag(opened.flag)}
          consequence="Applications that ask for it find it missing, which Microsoft.FeatureManagement reads as off."
          onDelete={async () => {
            await deleteKeyValue(store, opened.flag.kv).catch((error: unknown) => {
              throw deleteRefusal(`feature flag ${describeFlag(opened.flag)}`, error);
            });
            close();
            reload(`Feature flag ${describeFlag(opened.flag)} deleted.`);
          }}
          onClose={close}
        />
      )}
    </section>
  );
}
