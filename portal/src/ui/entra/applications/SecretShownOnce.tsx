import type { NewSecret } from '../../../api/applications.js';
import { CopyField } from '../../components/CopyField.js';

/**
 * A new client secret's value, which Graph returns once: shown here until the person closes it
 * or leaves the page, kept in this component's memory only, never stored.
 */
export function SecretShownOnce({ secret, onDone }: { secret: NewSecret; onDone: () => void }) {
  return (
    <section class="secret-once" aria-labelledby="secret-once-heading">
      <h4 id="secret-once-heading">Copy the new secret’s value now</h4>
      <p role="alert">
        This is the only time it is shown. Once you leave this page it cannot be read again: only its first
        characters are kept as a hint. If you lose it, add another secret.
      </p>
      {/* The form that asked for it has closed: the value takes the focus, selected, ready to copy. */}
      <CopyField
        label={`Value of ${secret.displayName || 'the new secret'}`}
        value={secret.secretText}
        copyLabel="Copy the secret value"
        focusOnMount
      />
      <div class="actions">
        <button type="button" class="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}
