import { render } from 'preact';
import { accountStore } from './auth/accounts.js';
import { beginSignIn, completeSignIn, hasSignedOut } from './auth/signIn.js';
import { App } from './ui/App.js';
import { SignInFailed, SignedOut, SigningIn } from './ui/Landing.js';
import './styles.css';

const root = document.getElementById('app');

/**
 * Start-up: finish a sign-in the authority just answered, else use this tab's account, else
 * sign in (unless the person just signed out).
 */
async function start(): Promise<void> {
  if (!root) return;
  const callback = await completeSignIn(new URL(location.href));
  if (callback.kind === 'failed') return render(<SignInFailed error={callback.error} />, root);
  const account = accountStore.active();
  if (account) return render(<App account={account} />, root);
  if (hasSignedOut()) return render(<SignedOut />, root);
  render(<SigningIn />, root);
  await beginSignIn();
}

void start();
