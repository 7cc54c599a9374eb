import { useState } from 'preact/hooks';
import type { DirectoryUser } from '../../../api/graphUsers.js';
import { createUser, generatePassword, verifiedDomains } from '../../../api/graphUsers.js';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { Field, TextField } from '../../components/Field.js';
import { useLoad } from '../../components/useLoad.js';
import { useSubmit } from '../../components/useSubmit.js';
import { AppLink } from '../../components/AppLink.js';
import { entraHref } from '../../router.js';
import { OneTimeSecret } from './OneTimeSecret.js';
import type { PasswordChoiceValue } from './PasswordChoice.js';
import { PasswordChoice, initialPasswordChoice } from './PasswordChoice.js';

interface Props {
  onClose: () => void;
  onCreated: (user: DirectoryUser) => void;
}

/** Alias characters Entra takes before the @ of a user name. */
const ALIAS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;

/**
 * New user: a name, a user name in one of the organization's verified domains, and a first
 * password, generated here (then shown once) or typed. Graph's refusal is shown as it said it.
 */
export function CreateUserDialog({ onClose, onCreated }: Props) {
  const domains = useLoad(verifiedDomains, []);
  const [displayName, setDisplayName] = useState('');
  const [alias, setAlias] = useState('');
  const [domain, setDomain] = useState<string | undefined>(undefined);
  const [enabled, setEnabled] = useState(true);
  const [password, setPassword] = useState<PasswordChoiceValue>(initialPasswordChoice);
  const [created, setCreated] = useState<{ user: DirectoryUser; password?: string } | undefined>(undefined);
  const chosenDomain = domain ?? (domains.state === 'ready' ? domains.value[0] : undefined);

  const { busy, error, submit } = useSubmit(async () => {
    if (!chosenDomain) throw new Error('The organization’s domains have not loaded yet.');
    if (!ALIAS.test(alias))
      throw new Error('The user name before the @ may hold letters, digits and . _ - only.');
    const generated = password.mode === 'generate' ? generatePassword() : undefined;
    const user = await createUser({
      displayName: displayName.trim(),
      alias,
      domain: chosenDomain,
      password: generated ?? password.typed,
      forceChangePasswordNextSignIn: password.forceChange,
      accountEnabled: enabled,
    });
    setCreated({ user, ...(generated !== undefined && { password: generated }) });
    onCreated(user);
  });

  if (created) {
    return (
      <Dialog title={`${created.user.displayName} was created`} onClose={onClose}>
        <p>
          They sign in as <strong>{created.user.userPrincipalName}</strong>.
        </p>
        {created.password && <OneTimeSecret label="Initial password" value={created.password} />}
        <div class="actions">
          <AppLink class="button primary" href={entraHref('users', created.user.id)}>
            Open {created.user.displayName}
          </AppLink>
          <button type="button" class="button" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="New user" onClose={onClose}>
      <form onSubmit={submit}>
        <TextField
          label="Display name"
          hint="How people see them: “Avery Howard”."
          required
          maxLength={256}
          value={displayName}
          onValue={setDisplayName}
        />
        <div class="fields">
          <Field label="User name" hint="Before the @: what they type to sign in.">
            {(ids) => (
              <input
                {...ids}
                required
                maxLength={64}
                autoComplete="off"
                spellcheck={false}
                value={alias}
                onInput={(e) => setAlias(e.currentTarget.value.trim())}
              />
            )}
          </Field>
          <Field label="Domain" hint="One of the organization’s verified domains.">
            {(ids) => (
              <select
                {...ids}
                disabled={domains.state !== 'ready'}
                value={chosenDomain}
                onChange={(e) => setDomain(e.currentTarget.value)}
              >
                {domains.state === 'ready' &&
                  domains.value.map((d) => (
                    <option key={d} value={d}>
                      @{d}
                    </option>
                  ))}
              </select>
            )}
          </Field>
        </div>
        {domains.state === 'loading' && <p class="loading">Loading the organization’s domains…</p>}
        {domains.state === 'failed' && <Alert>{domains.message}</Alert>}
        <PasswordChoice value={password} onChange={setPassword} />
        <label class="option">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <span>
            <span class="option-name">Account enabled</span>
            <span class="option-detail">A disabled account cannot sign in until you enable it.</span>
          </span>
        </label>
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
