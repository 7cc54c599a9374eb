import { useState } from 'preact/hooks';
import { announce } from '../../announcer.js';

/**
 * A password shown this once: Graph never returns it again, so the person copies it now. The
 * value is in a read-only field, so it can be selected and read by a screen reader.
 */
export function OneTimeSecret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const id = `secret-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="text" readOnly value={value} spellcheck={false} autoComplete="off" />
      <p class="hint" id={`${id}-hint`}>
        Shown only now: copy it and give it to the person. They choose their own at their next sign-in if you
        asked them to.
      </p>
      <div class="actions">
        <button
          type="button"
          class="button"
          aria-describedby={`${id}-hint`}
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => {
              setCopied(true);
              announce('Password copied.');
            });
          }}
        >
          {copied ? 'Copied' : 'Copy password'}
        </button>
      </div>
    </div>
  );
}
