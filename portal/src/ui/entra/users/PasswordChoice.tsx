import { useId } from 'preact/hooks';
import { Field } from '../../components/Field.js';

export interface PasswordChoiceValue {
  /** Generated here (and shown once after the change), or typed by the administrator. */
  mode: 'generate' | 'type';
  typed: string;
  forceChange: boolean;
}

export const initialPasswordChoice: PasswordChoiceValue = { mode: 'generate', typed: '', forceChange: true };

/** How a new password is made, and whether the person must change it at their next sign-in. */
export function PasswordChoice({
  value,
  onChange,
}: {
  value: PasswordChoiceValue;
  onChange: (value: PasswordChoiceValue) => void;
}) {
  const name = useId();
  return (
    <>
      <fieldset class="picker">
        <legend>Password</legend>
        <label class="option">
          <input
            type="radio"
            name={name}
            checked={value.mode === 'generate'}
            onChange={() => onChange({ ...value, mode: 'generate' })}
          />
          <span>
            <span class="option-name">Generate a password</span>
            <span class="option-detail">16 random characters, shown once when you are done.</span>
          </span>
        </label>
        <label class="option">
          <input
            type="radio"
            name={name}
            checked={value.mode === 'type'}
            onChange={() => onChange({ ...value, mode: 'type' })}
          />
          <span>
            <span class="option-name">Let me type one</span>
          </span>
        </label>
        {value.mode === 'type' && (
          <Field
            label="New password"
            hint="8 to 256 characters, with three of: capitals, small letters, digits, symbols."
          >
            {(ids) => (
              <input
                {...ids}
                type="password"
                required
                autoComplete="new-password"
                value={value.typed}
                onInput={(e) => onChange({ ...value, typed: e.currentTarget.value })}
              />
            )}
          </Field>
        )}
      </fieldset>
      <label class="option">
        <input
          type="checkbox"
          checked={value.forceChange}
          onChange={(e) => onChange({ ...value, forceChange: e.currentTarget.checked })}
        />
        <span>
          <span class="option-name">Require a new password at the next sign-in</span>
        </span>
      </label>
    </>
  );
}
