import { useEffect, useRef, useState } from 'preact/hooks';
import { listSubscriptions } from '../../api/arm.js';
import { listRoleDefinitions } from '../../api/rbac.js';
import { Alert } from '../components/Alert.js';
import { useLoad } from '../components/useLoad.js';
import { BASE, iamHref } from '../router.js';
import { AssignmentsTab } from './AssignmentsTab.js';
import { CheckAccessTab } from './CheckAccessTab.js';
import { DenyAssignmentsTab } from './DenyAssignmentsTab.js';
import { AppLink } from '../components/AppLink.js';
import { RolesTab } from './RolesTab.js';
import type { ScopeInfo } from './scopes.js';
import { ancestorsOf, parseScope } from './scopes.js';
import { Tabs } from '../components/Tabs.js';

type TabKey = 'assignments' | 'deny' | 'roles' | 'check';
const TABS = [
  { key: 'assignments', label: 'Role assignments' },
  { key: 'deny', label: 'Deny assignments' },
  { key: 'roles', label: 'Roles' },
  { key: 'check', label: 'Check access' },
] satisfies { key: TabKey; label: string }[];

/**
 * Access control (IAM) of one scope: who holds which role there (and from where), deny
 * assignments, and the roles that can be assigned. Everything through ARM with the person's token.
 */
export function IamPage({ scope }: { scope: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Arriving here from a link: the heading takes the focus, so a screen reader starts at the page.
  useEffect(() => heading.current?.focus(), []);
  const info = parseScope(scope);
  return (
    <div class="page">
      {info && <Breadcrumb info={info} />}
      <h1 ref={heading} tabIndex={-1}>
        Access control (IAM)
      </h1>
      {info ? (
        <ScopeAccess info={info} />
      ) : (
        <Alert>
          {scope ? `'${scope}' is not a scope the portal can open.` : 'No scope was given.'} Open Access
          control from a subscription, resource group or resource on <a href={BASE}>Home</a>.
        </Alert>
      )}
    </div>
  );
}

/** Subscriptions by their names rather than their ids, where ARM lets the person read them. */
function useSubscriptionName(subscriptionId: string | undefined): string | undefined {
  const subscriptions = useLoad(listSubscriptions, []);
  if (!subscriptionId || subscriptions.state !== 'ready') return undefined;
  return subscriptions.value.find((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())
    ?.displayName;
}

function Breadcrumb({ info }: { info: ScopeInfo }) {
  const subscriptionName = useSubscriptionName(info.subscriptionId);
  const nameOf = (s: ScopeInfo) => (s.level === 'subscription' ? (subscriptionName ?? s.name) : s.name);
  return (
    <nav class="breadcrumb" aria-label="Breadcrumb">
      <ol>
        <li>
          <AppLink href={BASE}>Home</AppLink>
        </li>
        {ancestorsOf(info).map((a) => (
          <li key={a.scope}>
            <AppLink href={iamHref(a.scope)}>{`${a.kind} ${nameOf(a)}`}</AppLink>
          </li>
        ))}
        <li aria-current="page">{`${info.kind} ${nameOf(info)}`}</li>
      </ol>
    </nav>
  );
}

function ScopeAccess({ info }: { info: ScopeInfo }) {
  const { scope } = info;
  const [tab, setTab] = useState<TabKey>('assignments');
  const roles = useLoad(() => listRoleDefinitions(scope), [scope]);
  return (
    <>
      <p class="panel-description">
        Who may do what on this {info.kind.toLowerCase()} and everything in it. Assignments made on a scope
        above apply here too and are marked inherited. <code>{scope}</code>
      </p>
      <Tabs label="Access control" tabs={TABS} selected={tab} onSelect={setTab}>
        {tab === 'assignments' && <AssignmentsTab info={info} roles={roles} />}
        {tab === 'check' && <CheckAccessTab info={info} roles={roles} />}
        {tab === 'deny' && <DenyAssignmentsTab scope={scope} />}
        {tab === 'roles' && <RolesTab roles={roles} />}
      </Tabs>
    </>
  );
}
