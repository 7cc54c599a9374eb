import { Field } from '../components/Field.js';
import type { FilterDraft } from './flagFilters.js';
import { FILTER_NAMES } from './flagFilters.js';

interface Props {
  position: number;
  draft: FilterDraft;
  onChange: (draft: FilterDraft) => void;
  onRemove: () => void;
}

const TITLES = {
  percentage: FILTER_NAMES.percentage,
  timeWindow: FILTER_NAMES.timeWindow,
  targeting: FILTER_NAMES.targeting,
  custom: 'Custom filter',
} as const;

/** One filter's fields, by kind, as a group named by its position ("Filter 2: Microsoft.Percentage"). */
export function FilterEditor({ position, draft, onChange, onRemove }: Props) {
  const title = `Filter ${position}: ${draft.kind === 'custom' && draft.name ? draft.name : TITLES[draft.kind]}`;
  return (
    <fieldset class="ac-flag-filter">
      <legend>{title}</legend>
      {draft.kind === 'percentage' && (
        <DraftField
          label="Percentage of requests"
          hint="From 0 to 100: the flag is on for this share."
          control="percentage"
          required
          value={draft.value}
          onValue={(value) => onChange({ ...draft, value })}
        />
      )}
      {draft.kind === 'timeWindow' && (
        <div class="fields">
          <DraftField
            label="Start"
            hint="In your time zone; stored in UTC. Empty: from now on."
            control="datetime"
            value={draft.start}
            onValue={(start) => onChange({ ...draft, start })}
          />
          <DraftField
            label="End"
            hint="Empty: with no end."
            control="datetime"
            value={draft.end}
            onValue={(end) => onChange({ ...draft, end })}
          />
        </div>
      )}
      {draft.kind === 'targeting' && (
        <div class="fields">
          <DraftField
            label="Users"
            hint="Names the application targets, comma-separated."
            value={draft.users}
            onValue={(users) => onChange({ ...draft, users })}
          />
          <DraftField
            label="Groups"
            hint="One name=percentage per line: the share of the group it is on for."
            control="lines"
            rows={2}
            value={draft.groups}
            onValue={(groups) => onChange({ ...draft, groups })}
          />
          <DraftField
            label="Everyone else, percentage"
            hint="From 0 to 100."
            control="percentage"
            value={draft.defaultRollout}
            onValue={(defaultRollout) => onChange({ ...draft, defaultRollout })}
          />
          <DraftField
            label="Excluded users"
            hint="Comma-separated; off for them whatever else says."
            value={draft.excludedUsers}
            onValue={(excludedUsers) => onChange({ ...draft, excludedUsers })}
          />
          <DraftField
            label="Excluded groups"
            hint="Comma-separated."
            value={draft.excludedGroups}
            onValue={(excludedGroups) => onChange({ ...draft, excludedGroups })}
          />
        </div>
      )}
      {draft.kind === 'custom' && (
        <>
          <DraftField
            label="Filter name"
            hint="As the application registered it."
            value={draft.name}
            onValue={(name) => onChange({ ...draft, name })}
          />
          <DraftField
            label="Parameters (JSON)"
            control="lines"
            rows={3}
            value={draft.parameters}
            onValue={(parameters) => onChange({ ...draft, parameters })}
          />
        </>
      )}
      <button type="button" class="button" onClick={onRemove} aria-label={`Remove filter ${position}`}>
        Remove filter
      </button>
    </fieldset>
  );
}

/** One field of a filter, kept as typed: the draft is parsed when the flag is saved. */
function DraftField(props: {
  label: string;
  hint?: string;
  /** A name or a list on one line (the default), a 0–100 share, a local date and time, or lines. */
  control?: 'text' | 'percentage' | 'datetime' | 'lines';
  rows?: number;
  required?: boolean;
  value: string;
  onValue: (value: string) => void;
}) {
  const { control = 'text', value } = props;
  const onInput = (e: { currentTarget: { value: string } }) => props.onValue(e.currentTarget.value);
  return (
    <Field label={props.label} hint={props.hint}>
      {(ids) =>
        control === 'lines' ? (
          <textarea {...ids} rows={props.rows} value={value} onInput={onInput} />
        ) : control === 'percentage' ? (
          <input
            {...ids}
            type="number"
            min={0}
            max={100}
            step="any"
            required={props.required}
            value={value}
            onInput={onInput}
          />
        ) : control === 'datetime' ? (
          <input {...ids} type="datetime-local" value={value} onInput={onInput} />
        ) : (
          <input {...ids} autoComplete="off" value={value} onInput={onInput} />
        )
      }
    </Field>
  );
}
