import { useState } from 'preact/hooks';
import type { DirectoryUser } from '../../../api/graphUsers.js';
import { generatePassword, resetPassword } from '../../../api/graphUsers.js';
import { Alert } from '../../components/Alert.js';
import { Dialog } from '../../components/Dialog.js';
import { useSubmit } from '../../components/useSubmit.js';
import { OneTimeSecret } from './OneTimeSecret.js';
import type { PasswordChoiceValue } from './PasswordChoice.js';
import { PasswordChoice, initialPasswordChoice } from './PasswordChoice.js';

interface Props {
  user: DirectoryUser;
  onClose: () => void;
  onReset: (message: string) => void;
}

/** Reset password: a PATCH of the password profile, which also ends the user's sessions. */
export function ResetPasswordDialog({ user, onClose, onReset }: Props) {
  const [choice, setChoice] = useState<PasswordChoiceValue>(initialPasswordChoice);
  const [done, setDone] = useState<{ password?: string } | undefined>(undefined);
  const { busy, error, submit } = useSubmit(async () => {
    const generated = choice.mode === 'generate' ? generatePassword() : undefined;
    await resetPassword(user.id, generated ?? choice.typed, choice.forceChange);
    setDone(generated === undefined ? {} : { password: generated });
    onReset(`The password of ${user.displayName} was reset.`);
  });
  if (done) {
    return (
      <Dialog title={`The password of ${user.displayName} was reset`} onClose={onClose}>
        <p>Their sessions ended: they sign in again with the new password.</p>
        {done.password && <OneTimeSecret label="New password" value={done.password} />}
        <div class="actions">
          <button type="button" class="button primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title={`Reset the password of ${user.displayName}?`} onClose={onClose}>
      <form onSubmit={submit}>
        <p class="hint">
          {user.userPrincipalName} is signed out everywhere and signs in again with the new password.
        </p>
        <PasswordChoice value={choice} onChange={setChoice} />
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Resetting…' : 'Reset password'}
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
