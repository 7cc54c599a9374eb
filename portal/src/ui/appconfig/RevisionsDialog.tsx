import { useState } from 'preact/hooks';
import type { KeyValue } from '../../api/appConfiguration.js';
import { getKeyValue, listRevisions, restoreRevision } from '../../api/appConfiguration.js';
import { announce } from '../announcer.js';
import { Alert } from '../components/Alert.js';
import { DataTable } from '../components/DataTable.js';
import { Dialog } from '../components/Dialog.js';
import { EmptyState } from '../components/EmptyState.js';
import { useLoad } from '../components/useLoad.js';
import { conflictMessage, describeItem, explain, explained, isConflict, timeText } from './refusals.js';

interface Props {
  store: string;
  kv: KeyValue;
  onClose: () => void;
}

/**
 * A key-value's revisions, newest first, and restoring one: its value, content type and tags are
 * written back with If-Match on the current state the dialog knows, so a change made meanwhile is
 * reported rather than overwritten.
 */
export function RevisionsDialog({ store, kv, onClose }: Props) {
  const [current, setCurrent] = useState<KeyValue | undefined>(kv);
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const revisions = useLoad(
    () => explained(() => listRevisions(store, kv.key, kv.label)),
    [store, kv.key, kv.label, version],
  );
  const what = describeItem(kv);

  const restore = async (revision: KeyValue) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const saved = await restoreRevision(store, revision, current);
      setCurrent(saved);
      setVersion((v) => v + 1);
      announce(`Restored ${what} to its revision of ${timeText(revision.lastModified)}.`);
    } catch (error) {
      if (isConflict(error)) {
        // The dialog now knows the current state: restoring again is a deliberate choice.
        setCurrent(await getKeyValue(store, kv.key, kv.label).catch(() => current));
        setVersion((v) => v + 1);
        setProblem(
          `${conflictMessage(what, error)} The list shows its revisions now; restore again if you still want to.`,
        );
      } else {
        setProblem(explain(error));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Revisions of ${what}`} onClose={onClose}>
      <div class="ac-wide-dialog">
        <p class="hint">
          Every change the store kept, newest first. Restoring one writes its value back as a new change.
        </p>
        {problem && <Alert>{problem}</Alert>}
        {revisions.state === 'loading' && (
          <p class="loading" aria-busy="true">
            Loading…
          </p>
        )}
        {revisions.state === 'failed' && <Alert>{revisions.message}</Alert>}
        {revisions.state === 'ready' && revisions.value.items.length === 0 && (
          <EmptyState title="No revisions kept">
            <p>The store keeps revisions for its retention period; older ones are gone.</p>
          </EmptyState>
        )}
        {revisions.state === 'ready' && revisions.value.items.length > 0 && (
          <DataTable<KeyValue>
            caption={`Revisions of ${what}`}
            what="revisions"
            pageSize={5}
            items={revisions.value.items}
            keyOf={(r) => `${r.etag}${r.lastModified}`}
            initialSort={{ column: 'Changed', descending: true }}
            columns={[
              {
                header: 'Changed',
                sortValue: (r) => r.lastModified,
                cell: (r) => (
                  <span class="cell-main">
                    {timeText(r.lastModified)}
                    {current && r.etag === current.etag && <span class="badge">Current</span>}
                  </span>
                ),
              },
              {
                header: 'Value',
                sortValue: (r) => r.value ?? '',
                cell: (r) => <span class="ac-kv-value">{r.value}</span>,
              },
              {
                header: 'Content type',
                secondary: true,
                sortValue: (r) => r.contentType ?? '',
                cell: (r) => r.contentType ?? '',
              },
            ]}
            actions={(r) =>
              current && r.etag === current.etag ? null : (
                <button
                  type="button"
                  class="button"
                  disabled={busy}
                  aria-label={`Restore the revision of ${timeText(r.lastModified)}: ${r.value ?? ''}`}
                  onClick={() => void restore(r)}
                >
                  Restore
                </button>
              )
            }
          />
        )}
        <div class="actions">
          <button type="button" class="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}
