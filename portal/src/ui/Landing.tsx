import type { ComponentChildren } from 'preact';
import type { AuthorityError } from '../auth/authorityError.js';
import { beginSignIn } from '../auth/signIn.js';
import { Alert } from './components/Alert.js';
import { LogoIcon } from './icons.js';

function Card({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main id="main" class="landing">
      <div class="landing-card">
        <LogoIcon class="landing-logo" />
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

const SignInButton = ({ label }: { label: string }) => (
  <button type="button" class="button primary" onClick={() => void beginSignIn({ prompt: 'select_account' })}>
    {label}
  </button>
);

/** After sign-out: the portal waits for the person instead of signing them straight back in. */
export function SignedOut() {
  return (
    <Card title="You signed out">
      <p>
        Your session with Tessera has ended in this browser. Close the browser windows to finish, or sign in
        again.
      </p>
      <SignInButton label="Sign in" />
    </Card>
  );
}

/** The authority refused the sign-in, or its answer did not match: its words, and a retry. */
export function SignInFailed({ error }: { error: AuthorityError }) {
  return (
    <Card title="Sign-in did not complete">
      <Alert>{error.message}</Alert>
      <SignInButton label="Try again" />
    </Card>
  );
}

export function SigningIn() {
  return (
    <Card title="Signing you in…">
      <p aria-busy="true">Taking you to the Tessera sign-in page.</p>
    </Card>
  );
}
