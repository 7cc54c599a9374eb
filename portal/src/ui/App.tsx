import { useEffect, useState } from 'preact/hooks';
import { getMe } from '../api/graph.js';
import type { Account } from '../auth/accounts.js';
import { accountStore } from '../auth/accounts.js';
import { signOut } from '../auth/signIn.js';
import { LiveRegion } from './announcer.js';
import { AppLink } from './components/AppLink.js';
import { useLoad } from './components/useLoad.js';
import { AppConfigPage } from './appconfig/AppConfigPage.js';
import { EntraPage } from './entra/EntraPage.js';
import { HomePage } from './home/HomePage.js';
import { IamPage } from './iam/IamPage.js';
import { LogoIcon, SignOutIcon } from './icons.js';
import { MediaPage } from './media/MediaPage.js';
import type { Screen } from './router.js';
import { BASE, entraHref, screenOf, usePath } from './router.js';
import { TenantSwitcher } from './TenantSwitcher.js';

/** The signed-in portal: the top bar (directory, person, sign-out) and the screen of the path. */
export function App({ account: initial }: { account: Account }) {
  const [account, setAccount] = useState(initial);
  const path = usePath();
  const screen = screenOf(path);
  useEffect(() => {
    const titles: Record<Screen['name'], string> = {
      home: 'Home',
      iam: 'Access control (IAM)',
      entra: 'Microsoft Entra ID',
      appconfig: 'App Configuration',
      media: 'Media Services',
      notFound: 'Not found',
    };
    document.title = `${titles[screen.name]} · Tessera`;
  }, [screen.name]);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <header class="topbar">
        <a class="brand" href={BASE}>
          <LogoIcon class="brand-logo" />
          <span>Tessera</span>
        </a>
        <nav class="topbar-actions" aria-label="Account">
          <TenantSwitcher
            key={account.tenantId}
            account={account}
            onSwitched={() => setAccount(accountStore.active() ?? account)}
          />
          <Person account={account} />
          <button type="button" class="button topbar-button" onClick={signOut}>
            <SignOutIcon />
            <span class="label">Sign out</span>
          </button>
        </nav>
      </header>
      <PortalNav screen={screen} />
      <main id="main" tabIndex={-1} key={account.tenantId}>
        {screen.name === 'home' && <HomePage />}
        {screen.name === 'iam' && <IamPage key={screen.scope} scope={screen.scope} />}
        {screen.name === 'entra' && (
          <EntraPage key={screen.section} section={screen.section} id={screen.id} />
        )}
        {screen.name === 'appconfig' && <AppConfigPage key={screen.store} store={screen.store} />}
        {screen.name === 'media' && (
          <MediaPage key={screen.account} account={screen.account} tab={screen.tab} />
        )}
        {screen.name === 'notFound' && <NotFound path={screen.path} />}
      </main>
      <LiveRegion />
    </>
  );
}

/** The portal's two top-level places; stores and accounts are opened from Home. */
function PortalNav({ screen }: { screen: Screen }) {
  const here = (name: Screen['name']) => (screen.name === name ? 'page' : undefined);
  return (
    <nav class="portal-nav" aria-label="Portal">
      <AppLink href={BASE} current={here('home')}>
        Home
      </AppLink>
      <AppLink href={entraHref('users')} current={here('entra')}>
        Microsoft Entra ID
      </AppLink>
    </nav>
  );
}

/** Who is signed in, as Microsoft Graph has them (falling back to the ID token's name). */
function Person({ account }: { account: Account }) {
  const me = useLoad(getMe, [account.tenantId]);
  const name = me.state === 'ready' && me.value.displayName ? me.value.displayName : account.name;
  const upn =
    me.state === 'ready' && me.value.userPrincipalName ? me.value.userPrincipalName : account.username;
  return (
    <p class="person" title={upn}>
      <span class="visually-hidden">Signed in as </span>
      <span class="person-name">{name}</span>
      <span class="person-upn">{upn}</span>
    </p>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <div class="page">
      <h1>Page not found</h1>
      <p>
        The portal has no page at <code>{path}</code>. Go to <a href={BASE}>Home</a>.
      </p>
    </div>
  );
}
