import { useId, useMemo, useState } from 'preact/hooks';
import type { Principal } from '../../api/directoryObjects.js';
import { resolvePrincipals } from '../../api/directoryObjects.js';
import type { AccessCheck, RoleDefinition } from '../../api/rbac.js';
import { checkAccess } from '../../api/rbac.js';
import { announce } from '../announcer.js';
import { Alert } from '../components/Alert.js';
import { AppLink } from '../components/AppLink.js';
import { Field } from '../components/Field.js';
import { PrincipalPicker } from '../components/PrincipalPicker.js';
import type { Loaded } from '../components/useLoad.js';
import { useSubmit } from '../components/useSubmit.js';
import { iamHref } from '../router.js';
import type { ScopeInfo } from './scopes.js';
import { parseScope } from './scopes.js';

interface Props {
  info: ScopeInfo;
  roles: Loaded<RoleDefinition[]>;
}

interface Checked {
  check: AccessCheck;
  principal: Principal;
  /** The name of the group whose assignment decided, when it was not the principal's own. */
  through?: string;
}

/** Suggestions shown under the action box: enough to pick from, few enough to read. */
const SUGGESTED = 50;

/**
 * Check access: whether a user, group or service principal may perform an action here, and why —
 * the assignment, role and scope that allow it, the deny assignment that blocks it, or that
 * nothing grants it. ARM decides (its check-access operation); asking about someone else needs
 * permission to read role assignments here, and its refusal is shown as it said it.
 */
export function CheckAccessTab({ info, roles }: Props) {
  const [principal, setPrincipal] = useState<Principal | undefined>(undefined);
  const [action, setAction] = useState('');
  const [dataAction, setDataAction] = useState(false);
  const [checked, setChecked] = useState<Checked | undefined>(undefined);
  const { busy, error, submit } = useSubmit(async () => {
    setChecked(undefined);
    if (!principal) throw new Error('Choose whose access to check first.');
    const id = action.trim();
    if (!id) throw new Error('Type or pick the action to check.');
    const [check] = await checkAccess(principal.id, info.scope, [{ id, isDataAction: dataAction }]);
    if (!check) throw new Error('ARM answered without a decision. Try again.');
    const granting = check.roleAssignment?.principalId.toLowerCase();
    let through: string | undefined;
    if (granting && granting !== principal.id) {
      // Naming the group is a courtesy: the decision stands if Graph will not say.
      const names = await resolvePrincipals([granting]).catch(() => new Map<string, Principal>());
      through = names.get(granting)?.displayName;
    }
    setChecked({ check, principal, through });
    announce(`${headlineOf(check)}: ${principal.displayName} and ${check.actionId}.`);
  });
  return (
    <section class="panel" aria-labelledby="check-heading">
      <div class="panel-head">
        <h2 id="check-heading">Check access</h2>
      </div>
      <p class="panel-description">
        Whether someone may perform an action on this {info.kind.toLowerCase()}, counting the roles of the
        groups they belong to and the assignments made above it, and why.
      </p>
      <form onSubmit={submit} class="check-access">
        <PrincipalPicker
          chosen={principal}
          onChoose={setPrincipal}
          legend="Whose access"
          optionsLabel="Principals"
          hint="The start of a display name (or of a user name). Managed identities are service principals."
          noMatch={(query) => `Nobody’s name starts with “${query}”: type less of it, or check the spelling.`}
          offerSelf
        />
        <ActionPicker
          roles={roles}
          action={action}
          onAction={setAction}
          dataAction={dataAction}
          onDataAction={setDataAction}
        />
        {error && <Alert>{error}</Alert>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Checking…' : 'Check access'}
          </button>
        </div>
      </form>
      {checked && <Decision checked={checked} info={info} />}
    </section>
  );
}

/** Every action the roles name outright (patterns with wildcards are not one action), sorted. */
function namedActions(roles: RoleDefinition[], dataActions: boolean): string[] {
  const found = new Set<string>();
  for (const role of roles) {
    for (const permission of role.permissions) {
      for (const action of dataActions ? permission.dataActions : permission.actions) {
        if (!action.includes('*')) found.add(action);
      }
    }
  }
  return [...found].sort((a, b) => a.localeCompare(b));
}

function ActionPicker(props: {
  roles: Loaded<RoleDefinition[]>;
  action: string;
  onAction: (action: string) => void;
  dataAction: boolean;
  onDataAction: (dataAction: boolean) => void;
}) {
  const listId = useId();
  const all = props.roles.state === 'ready' ? props.roles.value : undefined;
  const known = useMemo(() => (all ? namedActions(all, props.dataAction) : []), [all, props.dataAction]);
  const needle = props.action.trim().toLowerCase();
  const suggestions = (needle ? known.filter((a) => a.toLowerCase().includes(needle)) : known).slice(
    0,
    SUGGESTED,
  );
  return (
    <fieldset class="picker">
      <legend>Action</legend>
      <Field
        label={props.dataAction ? 'Data action' : 'Action'}
        hint={`One operation (provider/resource type/operation, no wildcards).${
          all
            ? ` Suggestions come from the ${known.length} ${props.dataAction ? 'data actions' : 'actions'} the roles here name outright.`
            : ''
        }`}
      >
        {(ids) => (
          <input
            {...ids}
            list={listId}
            autoComplete="off"
            spellcheck={false}
            value={props.action}
            onInput={(e) => props.onAction(e.currentTarget.value)}
          />
        )}
      </Field>
      <datalist id={listId}>
        {suggestions.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      {props.roles.state === 'failed' && <Alert>No suggestions: {props.roles.message}</Alert>}
      <label class="option">
        <input
          type="checkbox"
          checked={props.dataAction}
          onChange={(e) => props.onDataAction(e.currentTarget.checked)}
        />
        <span>
          <span class="option-name">Data action</span>
          <span class="option-detail">
            An operation on the data inside a resource (key-values, blobs) rather than on the resource.
          </span>
        </span>
      </label>
    </fieldset>
  );
}

const headlineOf = (check: AccessCheck): string =>
  check.accessDecision === 'Allowed'
    ? 'Allowed'
    : check.accessDecision === 'Denied'
      ? 'Denied'
      : 'Not allowed';

const REASONS: Record<string, string> = {
  NoRoleAssignment:
    'No role assigned to it, or to a group it belongs to, on this scope or a scope above allows this action.',
  ConditionNotMet: 'The role assignment that would allow it has a condition that is not met.',
  AttributesRequired:
    'The role assignment that would allow it has a condition on the request (for example, which role a new assignment gives), so it depends on what is asked.',
  DenyAssignment: 'A deny assignment blocks it, whatever its roles allow.',
};

/** A scope as a link to its own Access control page, "this resource group" when it is this one. */
function ScopeLink({ scope, info }: { scope: string; info: ScopeInfo }) {
  const same = scope.toLowerCase() === info.scope.toLowerCase();
  const target = parseScope(scope);
  const label = same ? `this ${info.kind.toLowerCase()}` : target ? `${target.kind} ${target.name}` : scope;
  return (
    <>
      <AppLink href={iamHref(scope)}>{label}</AppLink> <code class="cell-detail">{scope}</code>
    </>
  );
}

function Decision({ checked, info }: { checked: Checked; info: ScopeInfo }) {
  const { check, principal, through } = checked;
  const granted = check.roleAssignment;
  const deny = check.denyAssignment;
  const allowed = check.accessDecision === 'Allowed';
  return (
    <section class="picker check-result" aria-labelledby="check-result-heading">
      <h3 id="check-result-heading">{headlineOf(check)}</h3>
      <p>
        <strong>{principal.displayName || principal.id}</strong> {allowed ? 'may' : 'may not'} perform{' '}
        {check.isDataAction ? 'the data action' : 'the action'} <code>{check.actionId}</code> on this{' '}
        {info.kind.toLowerCase()}.
      </p>
      {!allowed && <p>{REASONS[check.reason] ?? `Reason: ${check.reason}.`}</p>}
      {granted && (
        <dl class="check-details">
          <dt>Role</dt>
          <dd>{granted.roleDefinitionName}</dd>
          <dt>Assigned to</dt>
          <dd>
            {granted.principalId.toLowerCase() === principal.id
              ? `${principal.displayName || principal.id} itself`
              : `the group ${through ?? granted.principalId}, which it belongs to`}
          </dd>
          <dt>Scope</dt>
          <dd>
            <ScopeLink scope={granted.scope} info={info} />
          </dd>
          {granted.condition && (
            <>
              <dt>Condition</dt>
              <dd>
                <code>{granted.condition}</code>
              </dd>
            </>
          )}
          <dt>Role assignment</dt>
          <dd>
            <code>{granted.id}</code>
          </dd>
        </dl>
      )}
      {deny && (
        <dl class="check-details">
          <dt>Deny assignment</dt>
          <dd>{deny.name}</dd>
          <dt>Scope</dt>
          <dd>
            <ScopeLink scope={deny.scope} info={info} />
          </dd>
          <dt>Id</dt>
          <dd>
            <code>{deny.id}</code>
          </dd>
        </dl>
      )}
    </section>
  );
}
