import { useState } from 'preact/hooks';
import type { FeatureFlag } from '../../api/appConfigurationFlags.js';
import { featureFlagOf, saveFeatureFlag } from '../../api/appConfigurationFlags.js';
import { getKeyValue } from '../../api/appConfiguration.js';
import { FLAG_PREFIX } from '../../api/appConfigurationFlags.js';
import { announce } from '../announcer.js';
import { Alert, messageOf } from '../components/Alert.js';
import { Dialog } from '../components/Dialog.js';
import { Field, TextField } from '../components/Field.js';
import type { FilterDraft, FilterKind } from './flagFilters.js';
import { FILTER_KINDS, draftOf, filterOf, newDraft } from './flagFilters.js';
import { FilterEditor } from './FilterEditor.js';
import { conflictMessage, explain, isConflict, storeAnswer } from './refusals.js';

interface Props {
  store: string;
  existing?: FeatureFlag;
  onClose: () => void;
  onSaved: (message: string) => void;
}

type Problem = { kind: 'conflict' | 'other'; message: string };

/**
 * Create or edit a feature flag: its description, whether it is on, and its filters. An edit is
 * saved with If-Match on the flag as it was opened; a change made meanwhile is a conflict the
 * person resolves by loading the current flag.
 */
export function FeatureFlagDialog({ store, existing, onClose, onSaved }: Props) {
  const [base, setBase] = useState<FeatureFlag | undefined>(existing);
  const [name, setName] = useState(existing?.name ?? '');
  const [label, setLabel] = useState(existing?.kv.label ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [enabled, setEnabled] = useState(existing?.enabled ?? false);
  const [requirement, setRequirement] = useState<'Any' | 'All'>(existing?.requirementType ?? 'Any');
  const [drafts, setDrafts] = useState<FilterDraft[]>(existing?.filters.map(draftOf) ?? []);
  const [adding, setAdding] = useState<FilterKind>('percentage');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const editing = existing !== undefined;
  const flagName = existing?.name ?? name.trim();
  const flagLabel = existing ? existing.kv.label : label || null;
  const what = `feature flag '${flagName}'${flagLabel === null ? '' : ` (label '${flagLabel}')`}`;

  const fill = (flag: FeatureFlag) => {
    setBase(flag);
    setDescription(flag.description);
    setEnabled(flag.enabled);
    setRequirement(flag.requirementType);
    setDrafts(flag.filters.map(draftOf));
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setProblem(undefined);
    let filters;
    try {
      if (!flagName) throw new Error('A feature flag needs a name.');
      if (flagName.includes('%') || flagName.includes(':'))
        throw new Error('A feature flag name cannot hold % or :.');
      filters = drafts.map((d, i) => filterOf(d, i + 1));
    } catch (error) {
      setProblem({ kind: 'other', message: messageOf(error) });
      return;
    }
    setBusy(true);
    try {
      await saveFeatureFlag(
        store,
        { name: flagName, label: flagLabel, description, enabled, filters, requirementType: requirement },
        base,
      );
      onSaved(`Feature flag '${flagName}' ${editing ? 'saved' : 'created'}, ${enabled ? 'on' : 'off'}.`);
    } catch (error) {
      if (isConflict(error)) {
        setProblem({
          kind: 'conflict',
          message: editing
            ? conflictMessage(what, error)
            : `A ${what} already exists, so nothing was created. Edit it from the list instead. ${storeAnswer(error, 'Precondition Failed')}`,
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
      const current = await getKeyValue(store, FLAG_PREFIX + flagName, flagLabel);
      if (!current) throw new Error(`The ${what} has been deleted meanwhile. Cancel, then create it again.`);
      fill(featureFlagOf(current));
      setProblem(undefined);
      announce(`Loaded the current ${what}. Make your change again, then save.`);
    } catch (error) {
      setProblem({ kind: 'other', message: explain(error) });
    } finally {
      setBusy(false);
    }
  };

  const update = (index: number, draft: FilterDraft) =>
    setDrafts(drafts.map((d, i) => (i === index ? draft : d)));

  return (
    <Dialog title={editing ? `Edit ${what}` : 'Create feature flag'} onClose={onClose}>
      <form class="ac-kv-form ac-wide-dialog" onSubmit={save}>
        {!editing && (
          <div class="fields">
            <TextField
              label="Name"
              hint="What the application's code asks for, such as Beta."
              required
              autoFocus
              autoComplete="off"
              value={name}
              onValue={setName}
            />
            <TextField
              label="Label"
              hint="Optional: one flag per label (prod, test)."
              autoComplete="off"
              value={label}
              onValue={setLabel}
            />
          </div>
        )}
        <TextField
          label="Description"
          autoComplete="off"
          autoFocus={editing}
          value={description}
          onValue={setDescription}
        />
        <label class="ac-check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          Enabled
        </label>
        <p class="hint">
          Off: off for everyone. On without filters: on for everyone. On with filters: on where{' '}
          {requirement === 'All' ? 'all of them' : 'any of them'} say so.
        </p>
        <fieldset class="picker">
          <legend>Filters</legend>
          {drafts.length === 0 && <p class="hint">No filters: the flag is simply on or off.</p>}
          {drafts.map((draft, index) => (
            <FilterEditor
              key={index}
              position={index + 1}
              draft={draft}
              onChange={(d) => update(index, d)}
              onRemove={() => {
                setDrafts(drafts.filter((_, i) => i !== index));
                announce(`Filter ${index + 1} removed.`);
              }}
            />
          ))}
          <div class="ac-add-filter">
            <Field label="Filter to add">
              {(ids) => (
                <select
                  {...ids}
                  value={adding}
                  onChange={(e) => setAdding(e.currentTarget.value as FilterKind)}
                >
                  {FILTER_KINDS.map((k) => (
                    <option key={k.kind} value={k.kind}>
                      {k.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button
              type="button"
              class="button"
              onClick={() => {
                setDrafts([...drafts, newDraft(adding)]);
                announce(`Filter ${drafts.length + 1} added.`);
              }}
            >
              Add filter
            </button>
          </div>
          {drafts.length > 1 && (
            <Field label="On when">
              {(ids) => (
                <select
                  {...ids}
                  value={requirement}
                  onChange={(e) => setRequirement(e.currentTarget.value === 'All' ? 'All' : 'Any')}
                >
                  <option value="Any">Any filter says so</option>
                  <option value="All">All filters say so</option>
                </select>
              )}
            </Field>
          )}
        </fieldset>
        {problem && (
          <Alert>
            <p class="ac-alert-text">{problem.message}</p>
            {problem.kind === 'conflict' && editing && (
              <p class="ac-alert-text">Load the current flag to see their change, then make yours again.</p>
            )}
          </Alert>
        )}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save' : 'Create'}
          </button>
          {problem?.kind === 'conflict' && editing && (
            <button type="button" class="button" disabled={busy} onClick={() => void loadCurrent()}>
              Load the current flag
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
