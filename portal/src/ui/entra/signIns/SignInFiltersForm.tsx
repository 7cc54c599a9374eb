import { useState } from 'preact/hooks';
import type { SignInFilters } from '../../../api/graphSignIns.js';
import { Field } from '../../components/Field.js';

/** A `datetime-local` value (the person's own time) as the instant Graph compares with. */
const instantOf = (local: string): string | undefined => {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

interface Draft {
  from: string;
  to: string;
  user: string;
  app: string;
  status: '' | 'success' | 'failure';
}

const EMPTY: Draft = { from: '', to: '', user: '', app: '', status: '' };

/**
 * What the log is asked for: a time window, a user, an application, success or failure. Graph
 * filters the whole log by these; the table's own filter then searches what came back.
 */
export function SignInFiltersForm({ onApply }: { onApply: (filters: SignInFilters) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  const apply = (value: Draft) => {
    const from = instantOf(value.from);
    const to = instantOf(value.to);
    onApply({
      ...(from && { from }),
      ...(to && { to }),
      ...(value.user.trim() && { user: value.user.trim() }),
      ...(value.app.trim() && { app: value.app.trim() }),
      ...(value.status && { status: value.status }),
    });
  };
  return (
    <form
      class="create"
      aria-label="Sign-in log filters"
      onSubmit={(event) => {
        event.preventDefault();
        apply(draft);
      }}
    >
      <div class="fields">
        <Field label="From" hint="Your local time.">
          {(ids) => (
            <input
              {...ids}
              type="datetime-local"
              value={draft.from}
              onInput={(e) => set({ from: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="To" hint="Your local time.">
          {(ids) => (
            <input
              {...ids}
              type="datetime-local"
              value={draft.to}
              onInput={(e) => set({ to: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="User" hint="The start of the user name.">
          {(ids) => (
            <input
              {...ids}
              type="search"
              autoComplete="off"
              value={draft.user}
              onInput={(e) => set({ user: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="Application" hint="The start of its name, or its application ID.">
          {(ids) => (
            <input
              {...ids}
              type="search"
              autoComplete="off"
              value={draft.app}
              onInput={(e) => set({ app: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="Status">
          {(ids) => (
            <select
              {...ids}
              value={draft.status}
              onChange={(e) => set({ status: e.currentTarget.value as Draft['status'] })}
            >
              <option value="">Success and failure</option>
              <option value="success">Success</option>
              <option value="failure">Failure</option>
            </select>
          )}
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="button primary">
          Apply filters
        </button>
        <button
          type="button"
          class="button"
          onClick={() => {
            setDraft(EMPTY);
            apply(EMPTY);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
