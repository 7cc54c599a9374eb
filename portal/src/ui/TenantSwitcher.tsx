import { useState } from 'preact/hooks';
import type { Tenant } from '../api/arm.js';
import { listTenants } from '../api/arm.js';
import type { Account } from '../auth/accounts.js';
import { accountStore } from '../auth/accounts.js';
import { beginSignIn } from '../auth/signIn.js';
import { Alert } from './components/Alert.js';
import { Dialog } from './components/Dialog.js';
import { Field } from './components/Field.js';
import { useLoad } from './components/useLoad.js';
import { DirectoryIcon } from './icons.js';

interface Props {
  account: Account;
  onSwitched: () => void;
}

/** The directory in use, and the way to another: one the tab signed in to, or a new sign-in. */
export function TenantSwitcher({ account, onSwitched }: Props) {
  const [open, setOpen] = useState(false);
  const tenants = useLoad(listTenants, [account.tenantId]);
  const current =
    tenants.state === 'ready' ? tenants.value.find((t) => t.tenantId === account.tenantId) : undefined;
  return (
    <>
      <button type="button" class="button topbar-button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <DirectoryIcon />
        <span class="visually-hidden">Directory: </span>
        <span class="label">{current?.displayName ?? domainOf(account.username)}</span>
      </button>
      {open && (
        <SwitchDialog
          account={account}
          tenants={tenants.state === 'ready' ? tenants.value : []}
          problem={tenants.state === 'failed' ? tenants.message : undefined}
          onClose={() => setOpen(false)}
          onSwitched={() => {
            setOpen(false);
            onSwitched();
          }}
        />
      )}
    </>
  );
}

const domainOf = (username: string): string => username.split('@')[1] ?? username;

interface Choice {
  tenantId: string;
  name: string;
  detail: string;
}

function SwitchDialog(props: {
  account: Account;
  tenants: Tenant[];
  problem: string | undefined;
  onClose: () => void;
  onSwitched: () => void;
}) {
  const [other, setOther] = useState('');
  // ARM's /tenants lists the tenants this token reaches; the tab may hold accounts in others.
  const choices = new Map<string, Choice>();
  for (const t of props.tenants) {
    choices.set(t.tenantId, { tenantId: t.tenantId, name: t.displayName, detail: t.defaultDomain });
  }
  for (const a of accountStore.load()?.accounts ?? []) {
    if (!choices.has(a.tenantId))
      choices.set(a.tenantId, { tenantId: a.tenantId, name: domainOf(a.username), detail: a.username });
  }
  const signedIn = new Set((accountStore.load()?.accounts ?? []).map((a) => a.tenantId));
  const choose = (tenantId: string) => {
    if (accountStore.activate(tenantId)) props.onSwitched();
    else void beginSignIn({ tenant: tenantId });
  };
  return (
    <Dialog title="Switch directory" onClose={props.onClose}>
      {props.problem && <Alert>{props.problem}</Alert>}
      <ul class="choices">
        {[...choices.values()].map((c) => (
          <li key={c.tenantId}>
            <button
              type="button"
              class="choice"
              aria-current={c.tenantId === props.account.tenantId ? 'true' : undefined}
              onClick={() => (c.tenantId === props.account.tenantId ? props.onClose() : choose(c.tenantId))}
            >
              <span class="choice-name">{c.name}</span>
              <span class="choice-detail">
                {c.detail} ·{' '}
                {c.tenantId === props.account.tenantId
                  ? 'current'
                  : signedIn.has(c.tenantId)
                    ? 'signed in'
                    : 'sign in'}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (other.trim()) void beginSignIn({ tenant: other.trim() });
        }}
      >
        <Field
          label="Another directory"
          hint="Its domain (contoso.onmicrosoft.com) or tenant ID. You sign in with an account of that directory."
        >
          {(ids) => (
            <input
              {...ids}
              required
              autoComplete="off"
              value={other}
              onInput={(e) => setOther(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="button primary">
            Sign in
          </button>
          <button type="button" class="button" onClick={props.onClose}>
            Close
          </button>
        </div>
      </form>
    </Dialog>
  );
}
