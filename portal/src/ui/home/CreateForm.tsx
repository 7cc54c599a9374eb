import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Alert } from '../components/Alert.js';
import { useSubmit } from '../components/useSubmit.js';

interface CreateFormProps {
  /** "resource group": the form's accessible name and its button. */
  kind: string;
  onCreate: () => Promise<void>;
  onCancel: () => void;
  children: ComponentChildren;
}

/** The shell of every create form: its fields, the API's refusal, Create and Cancel. */
export function CreateForm({ kind, onCreate, onCancel, children }: CreateFormProps) {
  const { busy, error, submit } = useSubmit(onCreate);
  const form = useRef<HTMLFormElement>(null);
  // Opened by a button: the first field takes the focus, so typing starts at once.
  useEffect(() => form.current?.querySelector<HTMLElement>('input, select')?.focus(), []);
  return (
    <form
      ref={form}
      class="form"
      aria-label={`Create ${kind}`}
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <div class="fields">{children}</div>
      {error && <Alert>{error}</Alert>}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
