import { useEffect, useRef, useState } from 'preact/hooks';
import type { CompositionType, OperationStatus } from '../../api/appConfigurationSnapshots.js';
import { createSnapshot, getSnapshot, pollOperation } from '../../api/appConfigurationSnapshots.js';
import { announce } from '../announcer.js';
import { Alert } from '../components/Alert.js';
import { Dialog } from '../components/Dialog.js';
import { Field, TextField } from '../components/Field.js';
import { explain } from './refusals.js';

interface Props {
  store: string;
  onClose: () => void;
  onCreated: (message: string) => void;
}

const MAX_FILTERS = 3;
/** Polls of the operation at most, a second apart (the store says how it goes at each). */
const MAX_POLLS = 120;
const POLL_INTERVAL_MS = 1000;

type Progress =
  | { phase: 'form' }
  | { phase: 'creating' }
  | { phase: 'polling'; status: OperationStatus; polls: number }
  | { phase: 'failed'; message: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Create snapshot: up to three key/label filters, a composition and a retention period. Creation
 * is a long-running operation: the dialog polls the Operation-Location the store names and shows
 * its status until the snapshot is ready (or failed).
 */
export function CreateSnapshotDialog({ store, onClose, onCreated }: Props) {
  const [name, setName] = useState('');
  const [filters, setFilters] = useState([{ key: '', label: '' }]);
  const [composition, setComposition] = useState<CompositionType>('key');
  const [retentionDays, setRetentionDays] = useState('30');
  const [progress, setProgress] = useState<Progress>({ phase: 'form' });
  const open = useRef(true);
  useEffect(
    () => () => {
      open.current = false;
    },
    [],
  );
  const working = progress.phase === 'creating' || progress.phase === 'polling';

  const create = async (event: Event) => {
    event.preventDefault();
    if (working) return;
    const snapshotName = name.trim();
    setProgress({ phase: 'creating' });
    try {
      const days = Number(retentionDays);
      const { operationPath } = await createSnapshot(store, {
        name: snapshotName,
        filters: filters.map((f) => ({ key: f.key.trim(), label: f.label.trim() })),
        compositionType: composition,
        retentionPeriod: Number.isFinite(days) ? Math.round(days * 86_400) : 0,
      });
      announce(`Creating snapshot ${snapshotName}…`);
      for (let polls = 1; polls <= MAX_POLLS && open.current; polls++) {
        const status = await pollOperation(store, operationPath);
        if (!open.current) return;
        setProgress({ phase: 'polling', status, polls });
        if (status === 'Succeeded') {
          const snapshot = await getSnapshot(store, snapshotName);
          onCreated(
            `Snapshot ${snapshotName} is ${snapshot.status}, with ${snapshot.itemsCount} key-values.`,
          );
          return;
        }
        if (status === 'Failed' || status === 'Canceled') {
          throw new Error(`The store reports the creation of snapshot ${snapshotName} as ${status}.`);
        }
        await sleep(POLL_INTERVAL_MS);
      }
      if (open.current) {
        throw new Error(
          `Snapshot ${snapshotName} is still being created after ${MAX_POLLS} checks. Close this and refresh the list later.`,
        );
      }
    } catch (error) {
      if (open.current) setProgress({ phase: 'failed', message: explain(error) });
    }
  };

  const setFilter = (index: number, change: Partial<{ key: string; label: string }>) =>
    setFilters(filters.map((f, i) => (i === index ? { ...f, ...change } : f)));

  return (
    <Dialog title="Create snapshot" onClose={onClose}>
      <form class="ac-kv-form ac-wide-dialog" onSubmit={create}>
        <TextField
          label="Name"
          hint="Applications load the snapshot by this name; it cannot be reused."
          required
          autoFocus
          autoComplete="off"
          disabled={working}
          value={name}
          onValue={setName}
        />
        <fieldset class="picker">
          <legend>Key-values to copy</legend>
          <p class="hint">
            Up to three filters; a key-value matching any is copied. An empty label filter takes key-values
            without a label; * takes every label.
          </p>
          {filters.map((f, index) => (
            <div class="ac-snapshot-filter" key={index}>
              <Field
                label={`Filter ${index + 1}: key`}
                hint={index === 0 ? 'app:* for keys starting with app:.' : undefined}
              >
                {(ids) => (
                  <input
                    {...ids}
                    required
                    autoComplete="off"
                    disabled={working}
                    value={f.key}
                    onInput={(e) => setFilter(index, { key: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label={`Filter ${index + 1}: label`}>
                {(ids) => (
                  <input
                    {...ids}
                    autoComplete="off"
                    disabled={working}
                    value={f.label}
                    onInput={(e) => setFilter(index, { label: e.currentTarget.value })}
                  />
                )}
              </Field>
              {filters.length > 1 && (
                <button
                  type="button"
                  class="button"
                  disabled={working}
                  aria-label={`Remove filter ${index + 1}`}
                  onClick={() => setFilters(filters.filter((_, i) => i !== index))}
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          {filters.length < MAX_FILTERS && (
            <button
              type="button"
              class="button"
              disabled={working}
              onClick={() => setFilters([...filters, { key: '', label: '' }])}
            >
              Add a filter
            </button>
          )}
        </fieldset>
        <div class="fields">
          <Field
            label="Composition"
            hint="Key: one value per key, later filters winning. Key and label: every label kept."
          >
            {(ids) => (
              <select
                {...ids}
                disabled={working}
                value={composition}
                onChange={(e) => setComposition(e.currentTarget.value === 'key_label' ? 'key_label' : 'key')}
              >
                <option value="key">Key</option>
                <option value="key_label">Key and label</option>
              </select>
            )}
          </Field>
          <TextField
            label="Kept after archiving (days)"
            hint="From one hour (0.05) to 90 days."
            type="number"
            min={0.05}
            max={90}
            step="any"
            required
            disabled={working}
            value={retentionDays}
            onValue={setRetentionDays}
          />
        </div>
        {working && (
          <div class="ac-operation" role="status">
            <progress aria-label="Creating the snapshot" />
            <span>
              {progress.phase === 'creating'
                ? 'Sending the snapshot’s definition…'
                : `The store reports ${progress.status} (check ${progress.polls}).`}
            </span>
          </div>
        )}
        {progress.phase === 'failed' && <Alert>{progress.message}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={working}>
            {working ? 'Creating…' : 'Create'}
          </button>
          <button type="button" class="button" onClick={onClose}>
            {working ? 'Close (it goes on)' : 'Cancel'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
