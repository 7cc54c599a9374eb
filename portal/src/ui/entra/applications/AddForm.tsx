import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Alert } from '../../components/Alert.js';
import { useSubmit } from '../../components/useSubmit.js';

interface AddFormProps {
  /** The form's accessible name: "Add redirect URI". */
  label: string;
  /** The submit button's text. */
  action?: string;
  onSubmit: () => Promise<void>;
  onCancel: () => void;
  children: ComponentChildren;
}

/**
 * A form that adds something to an object (a redirect URI, a role, a secret): its fields, the
 * API's refusal in its own words, the action and Cancel; Escape cancels.
 */
export function AddForm({ label, action = 'Add', onSubmit, onCancel, children }: AddFormProps) {
  const { busy, error, submit } = useSubmit(onSubmit);
  const form = useRef<HTMLFormElement>(null);
  // Opened by a button: the first field takes the focus, so typing starts at once.
  useEffect(() => form.current?.querySelector<HTMLElement>('input, select, textarea')?.focus(), []);
  return (
    <form
      ref={form}
      class="form create"
      aria-label={label}
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <div class="fields">{children}</div>
      {error && <Alert>{error}</Alert>}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Saving…' : action}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
