import { useState } from 'preact/hooks';
import type { KeyValueFilter } from '../../api/appConfiguration.js';
import { Field } from '../components/Field.js';

interface FilterFormProps {
  /** "key-values", "feature flags". */
  what: string;
  filter: KeyValueFilter;
  onApply: (filter: KeyValueFilter) => void;
  /** Feature flags are listed by label only (their keys share a prefix). */
  labelOnly?: boolean;
}

/**
 * The store's own filters, asked of the API: a key filter and a label filter in its syntax
 * (`*` for a prefix, up to five comma-separated alternatives, `\0` for no label).
 */
export function FilterForm({ what, filter, onApply, labelOnly }: FilterFormProps) {
  const [key, setKey] = useState(filter.key);
  const [label, setLabel] = useState(filter.label);
  return (
    <form
      class="ac-kv-filters"
      aria-label={`Filter ${what} in the store`}
      onSubmit={(event) => {
        event.preventDefault();
        onApply({ key, label });
      }}
    >
      {!labelOnly && (
        <Field label="Key filter" hint="Empty for all; app:* for keys starting with app:; a,b for either.">
          {(ids) => (
            <input {...ids} autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
          )}
        </Field>
      )}
      <Field
        label="Label filter"
        hint="Empty for any label; \0 for no label; prod* for labels starting with prod."
      >
        {(ids) => (
          <input {...ids} autoComplete="off" value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        )}
      </Field>
      <div class="actions">
        <button type="submit" class="button">
          Apply filters
        </button>
        <button
          type="button"
          class="button"
          disabled={filter.key === '' && filter.label === '' && key === '' && label === ''}
          onClick={() => {
            setKey('');
            setLabel('');
            onApply({ key: '', label: '' });
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
