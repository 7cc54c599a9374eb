import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { announce } from '../announcer.js';
import './copyField.css';

/** The clipboard API, or, where the page may not use it, the selected text copied the old way. */
async function copy(input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.select();
    return document.execCommand('copy');
  }
}

export interface CopyFieldProps {
  label: string;
  value: string;
  hint?: string;
  /** The Copy button's accessible name; `Copy <label>` unless given. */
  copyLabel?: string;
  /** Takes the focus, selected, when it appears: a value shown once and to copy now. */
  focusOnMount?: boolean;
}

/**
 * A value to paste elsewhere (an ingest URL into an encoder, a new client secret into an app's
 * settings): read-only text, selectable, with a Copy button that says when it has copied and
 * what to do when the browser would not let it.
 */
export function CopyField({ label, value, hint, copyLabel, focusOnMount }: CopyFieldProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>(undefined);
  useEffect(() => {
    if (focusOnMount) input.current?.focus();
  }, []);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(undefined), 2500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <div class="field copy-field">
      <label for={id}>{label}</label>
      <div class="copy-field-row">
        <input
          ref={input}
          id={id}
          type="text"
          readOnly
          autoComplete="off"
          spellcheck={false}
          value={value}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          class="button"
          aria-label={copyLabel ?? `Copy ${label}`}
          onClick={async () => {
            if (!input.current) return;
            const done = await copy(input.current);
            setCopied(done ? 'yes' : 'no');
            announce(done ? `${label} copied.` : `${label} could not be copied: select it and copy it.`);
          }}
        >
          {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Select and copy' : 'Copy'}
        </button>
      </div>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}
