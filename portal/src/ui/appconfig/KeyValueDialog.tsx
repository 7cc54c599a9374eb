import { useState } from 'preact/hooks';
import type { KeyValue } from '../../api/appConfiguration.js';
import { getKeyValue, putKeyValue } from '../../api/appConfiguration.js';
import { announce } from '../announcer.js';
import { Alert } from '../components/Alert.js';
import { Dialog } from '../components/Dialog.js';
import { Field, TextField } from '../components/Field.js';
import { conflictMessage, describeItem, explain, isConflict, storeAnswer } from './refusals.js';
import { parseTags, tagsText } from './tags.js';

interface Props {
  store: string;
  /** The key-value as the list showed it; none to create one. */
  existing?: KeyValue;
  onClose: () => void;
  onSaved: (message: string) => void;
}

/** Content types people pick most; any other may be typed. */
const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8',
];

type Problem = { kind: 'conflict' | 'other'; message: string };

/**
 * Create or edit a key-value. An edit is saved with If-Match on the ETag it started from: if
 * someone changed the key-value meanwhile, the store refuses (412) and the dialog says so, keeps
 * what the person typed, and offers to load the current value to start again from.
 */
export function KeyValueDialog({ store, existing, onClose, onSaved }: Props) {
  const [base, setBase] = useState<KeyValue | undefined>(existing);
  const [key, setKey] = useState(existing?.key ?? '');
  const [label, setLabel] = useState(existing?.label ?? '');
  const [value, setValue] = useState(existing?.value ?? '');
  const [contentType, setContentType] = useState(existing?.contentType ?? '');
  const [tags, setTags] = useState(tagsText(existing?.tags ?? {}));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  // Deleted behind the page's back: saving re-creates it (only if it is still absent).
  const [gone, setGone] = useState(false);
  const editing = existing !== undefined;
  const item = { key: existing?.key ?? key.trim(), label: existing ? existing.label : label || null };

  const save = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const saved = await putKeyValue(
        store,
        { ...item, value, contentType: contentType.trim(), tags: parseTags(tags) },
        base && !gone ? { etag: base.etag } : { create: true },
      );
      onSaved(`Key-value ${describeItem(saved)} ${editing ? 'saved' : 'created'}.`);
    } catch (error) {
      if (isConflict(error)) {
        setProblem({
          kind: 'conflict',
          message: editing
            ? conflictMessage(describeItem(item), error)
            : `A key-value ${describeItem(item)} already exists, so nothing was created. Edit it from the list instead. ${storeAnswer(error, 'Precondition Failed')}`,
        });
      } else {
        setProblem({ kind: 'other', message: explain(error) });
      }
    } finally {
      setBusy(false);
    }
  };

  const loadCurrent = async () => {
    setBusy(true);
    try {
      const current = await getKeyValue(store, item.key, item.label);
      if (current) {
        setBase(current);
        setGone(false);
        setValue(current.value ?? '');
        setContentType(current.contentType ?? '');
        setTags(tagsText(current.tags));
        setProblem(undefined);
        announce(`Loaded the current value of ${describeItem(item)}. Make your change again, then save.`);
      } else {
        setGone(true);
        setProblem({
          kind: 'other',
          message: `${describeItem(item)} has been deleted meanwhile. Save to create it again with what you typed.`,
        });
      }
    } catch (error) {
      setProblem({ kind: 'other', message: explain(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={editing ? `Edit ${describeItem(item)}` : 'Create key-value'} onClose={onClose}>
      <form class="ac-kv-form" onSubmit={save}>
        {editing ? (
          base?.locked && (
            <p class="hint">This key-value is locked: the store refuses changes until it is unlocked.</p>
          )
        ) : (
          <>
            <TextField
              label="Key"
              hint="Any text but . and ..; a : or / groups keys (app:color)."
              required
              autoComplete="off"
              autoFocus
              value={key}
              onValue={setKey}
            />
            <TextField
              label="Label"
              hint="Optional: the same key can hold one value per label (prod, test)."
              autoComplete="off"
              value={label}
              onValue={setLabel}
            />
          </>
        )}
        <Field label="Value">
          {(ids) => (
            <textarea
              {...ids}
              rows={4}
              autoFocus={editing}
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          label="Content type"
          hint="Optional: application/json for JSON, or a Key Vault reference's type."
        >
          {(ids) => (
            <>
              <input
                {...ids}
                list="kv-content-types"
                autoComplete="off"
                value={contentType}
                onInput={(e) => setContentType(e.currentTarget.value)}
              />
              <datalist id="kv-content-types">
                {CONTENT_TYPES.map((t) => (
                  <option key={t} value={t} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Tags" hint="One name=value per line.">
          {(ids) => (
            <textarea {...ids} rows={2} value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
          )}
        </Field>
        {problem && (
          <Alert>
            <p class="ac-alert-text">{problem.message}</p>
            {problem.kind === 'conflict' && editing && (
              <p class="ac-alert-text">
                Load the current value to see their change (what you typed is replaced), then make yours
                again.
              </p>
            )}
          </Alert>
        )}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save' : 'Create'}
          </button>
          {problem?.kind === 'conflict' && editing && (
            <button type="button" class="button" disabled={busy} onClick={() => void loadCurrent()}>
              Load the current value
            </button>
          )}
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
