import { useId, useState } from 'preact/hooks';
import { callApi } from '../../../api/http.js';
import { Alert, messageOf } from '../../components/Alert.js';
import { announce } from '../../announcer.js';

/** Graph's PATCH of `accountEnabled`: the authority refuses every token of a disabled principal. */
async function setAccountEnabled(id: string, accountEnabled: boolean): Promise<void> {
  await callApi('graph', `/v1.0/servicePrincipals/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body: { accountEnabled },
  });
}

/**
 * "Enabled for users to sign in": off, this directory issues no token for the application — to
 * people signing in to it, to the app itself, or for it as an API (AADSTS7000112). It shows the
 * stored state until Graph has accepted a change, and Graph's refusal when it does not.
 */
export function SignInSwitch(props: {
  id: string;
  displayName: string;
  enabled: boolean;
  onChanged: (enabled: boolean) => void;
}) {
  const { id, displayName, enabled, onChanged } = props;
  const hintId = useId();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const toggle = async () => {
    if (saving) return;
    const next = !enabled;
    setSaving(true);
    setError(undefined);
    try {
      await setAccountEnabled(id, next);
      onChanged(next);
      announce(
        next ? `${displayName} is enabled for sign-in.` : `${displayName} is disabled: it gets no tokens.`,
      );
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setSaving(false);
    }
  };
  return (
    <div class="subsection">
      <label class="check">
        <input
          type="checkbox"
          role="switch"
          checked={enabled}
          disabled={saving}
          aria-describedby={hintId}
          onChange={(e) => {
            // Graph decides: the box shows the stored state until the change is accepted.
            e.currentTarget.checked = enabled;
            void toggle();
          }}
        />
        Enabled for users to sign in
        {saving && (
          <span class="loading" aria-busy="true">
            {' '}
            Saving…
          </span>
        )}
      </label>
      <p class="hint" id={hintId}>
        When off, no token is issued for this application in this directory: not to people signing in to it,
        not to the app itself, and not for it as an API.
      </p>
      {error && <Alert>{error}</Alert>}
    </div>
  );
}
