import { useState } from 'preact/hooks';
import type { AppRegistration } from '../../../api/applications.js';
import { SIGN_IN_AUDIENCES } from '../../../api/applications.js';
import { createServicePrincipal, servicePrincipalOfApp } from '../../../api/servicePrincipals.js';
import { accountStore } from '../../../auth/accounts.js';
import { announce } from '../../announcer.js';
import { Alert } from '../../components/Alert.js';
import { AppLink } from '../../components/AppLink.js';
import { useLoad } from '../../components/useLoad.js';
import { useSubmit } from '../../components/useSubmit.js';
import { entraHref } from '../../router.js';
import { Properties, dateOf } from './Properties.js';

/** The authority's endpoints on this origin for the tenant, as an app is configured with them. */
function endpointsOf(tenantId: string): Array<[string, string]> {
  const authority = `${location.origin}/${tenantId}`;
  return [
    ['OAuth 2.0 authorization endpoint (v2)', `${authority}/oauth2/v2.0/authorize`],
    ['OAuth 2.0 token endpoint (v2)', `${authority}/oauth2/v2.0/token`],
    ['OpenID Connect metadata document', `${authority}/v2.0/.well-known/openid-configuration`],
    ['OAuth 2.0 token endpoint (v1)', `${authority}/oauth2/token`],
  ];
}

/** What an app is called by (client id, object id, tenant), where it signs in, and its enterprise application. */
export function OverviewTab({ app }: { app: AppRegistration }) {
  const tenantId = accountStore.active()?.tenantId ?? '';
  return (
    <>
      <Properties
        label="Essentials"
        items={[
          ['Display name', app.displayName],
          ['Application (client) ID', <code>{app.appId}</code>],
          ['Object ID', <code>{app.id}</code>],
          ['Directory (tenant) ID', <code>{tenantId}</code>],
          ['Publisher domain', app.publisherDomain],
          [
            'Supported account types',
            SIGN_IN_AUDIENCES.find((a) => a.value === app.signInAudience)?.label ?? app.signInAudience,
          ],
          ['Application ID URI', app.identifierUris.join(', ') || 'None: set one under Expose an API.'],
          ['Created', dateOf(app.createdDateTime)],
        ]}
      />
      <EnterpriseApplication app={app} />
      <section class="subsection" aria-labelledby="endpoints-heading">
        <h3 id="endpoints-heading">Endpoints</h3>
        <Properties
          label="Endpoints"
          items={endpointsOf(tenantId).map(([name, url]) => [name, <code>{url}</code>])}
        />
      </section>
    </>
  );
}

/** The app's service principal in this tenant, or a button that creates it. */
function EnterpriseApplication({ app }: { app: AppRegistration }) {
  const [version, setVersion] = useState(0);
  const principal = useLoad(() => servicePrincipalOfApp(app.appId), [app.appId, version]);
  const { busy, error, submit } = useSubmit(async () => {
    await createServicePrincipal(app.appId);
    announce(`Service principal of ${app.displayName} created.`);
    setVersion((v) => v + 1);
  });
  return (
    <section class="subsection" aria-labelledby="enterprise-app-heading">
      <h3 id="enterprise-app-heading">Enterprise application</h3>
      {principal.state === 'loading' && (
        <p class="loading" aria-busy="true">
          Loading…
        </p>
      )}
      {principal.state === 'failed' && <Alert>{principal.message}</Alert>}
      {principal.state === 'ready' && principal.value && (
        <p>
          <AppLink href={entraHref('enterpriseApplications', principal.value.id)}>
            Open the enterprise application<span class="visually-hidden"> of {app.displayName}</span>
          </AppLink>{' '}
          to assign users and groups to its roles.
        </p>
      )}
      {principal.state === 'ready' && !principal.value && (
        <>
          <p class="hint">
            This application has no service principal in this directory yet: nobody can sign in to it and no
            role can be assigned to it until it has one.
          </p>
          {error && <Alert>{error}</Alert>}
          <button type="button" class="button" disabled={busy} onClick={() => void submit()}>
            {busy ? 'Creating…' : 'Create service principal'}
          </button>
        </>
      )}
    </section>
  );
}
