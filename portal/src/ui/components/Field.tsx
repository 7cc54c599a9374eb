import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  /** A sentence under the control: what is allowed, what happens. */
  hint?: string;
  children: (props: { id: string; 'aria-describedby'?: string }) => ComponentChildren;
}

/** A labelled form control with its hint tied to it (aria-describedby). */
export function Field({ label, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(hint ? { id, 'aria-describedby': hintId } : { id })}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** Regions people pick from; Tessera accepts any name, as ARM stores it (lower case, no spaces). */
export const REGIONS = [
  'westus',
  'eastus',
  'centralus',
  'westeurope',
  'northeurope',
  'uksouth',
  'japaneast',
  'australiaeast',
] as const;

export function RegionSelect(props: {
  id: string;
  'aria-describedby'?: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { value, onChange, ...rest } = props;
  return (
    <select {...rest} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      {REGIONS.map((region) => (
        <option key={region} value={region}>
          {region}
        </option>
      ))}
    </select>
  );
}

/** What the portal's text boxes set besides their value. */
interface InputAttributes {
  type?: 'text' | 'search' | 'url' | 'number';
  name?: string;
  class?: string;
  autoComplete?: string;
  autoFocus?: boolean;
  disabled?: boolean;
  required?: boolean;
  pattern?: string;
  maxLength?: number;
  min?: number | string;
  max?: number | string;
  step?: number | string;
  placeholder?: string;
}

/** A labelled text box: the portal's most common control. */
export function TextField({
  label,
  hint,
  value,
  onValue,
  ...input
}: InputAttributes & { label: string; hint?: string; value: string; onValue: (value: string) => void }) {
  // Preact types <input> as one attribute set per `type`; these attributes suit each type used here.
  const attributes = input as InputHTMLAttributes<HTMLInputElement>;
  return (
    <Field label={label} hint={hint}>
      {(ids) => (
        <input {...ids} {...attributes} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
      )}
    </Field>
  );
}

/** A labelled search box: what a picker or a list filters by as the person types. */
export function SearchField(props: {
  label: string;
  hint?: string;
  value: string;
  onInput: (value: string) => void;
  class?: string;
}) {
  return (
    <TextField
      label={props.label}
      hint={props.hint}
      type="search"
      class={props.class}
      autoComplete="off"
      value={props.value}
      onValue={props.onInput}
    />
  );
}
