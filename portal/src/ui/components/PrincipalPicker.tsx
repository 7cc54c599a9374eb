import { useEffect, useId, useMemo, useState } from 'preact/hooks';
import type { Principal, PrincipalSearch, SearchableType } from '../../api/directoryObjects.js';
import { EVERY_SEARCHABLE_TYPE, searchPrincipals } from '../../api/directoryObjects.js';
import { accountStore } from '../../auth/accounts.js';
import { Alert, messageOf } from './Alert.js';
import { SearchField } from './Field.js';
import type { Loaded } from './useLoad.js';

interface Props {
  chosen: Principal | undefined;
  onChoose: (principal: Principal) => void;
  /** What the choice is for: "Member", "Whose access". */
  legend: string;
  /** The list of radios' accessible name: "Members", "Users and groups". */
  optionsLabel: string;
  /** The sentence under the search box. */
  hint: string;
  /** What is said when Graph finds nobody whose name starts with the query. */
  noMatch: (query: string) => string;
  /**
   * The kinds that may be picked (only those are searched); every kind when left out. A constant:
   * a new array on each render would search again.
   */
  types?: readonly SearchableType[];
  /** Ids that cannot be picked (the group itself, its members). */
  exclude?: ReadonlySet<string>;
  /** The signed-in person first, marked "You": anyone may ask about themselves. */
  offerSelf?: boolean;
}

const PLURALS: Record<SearchableType, string> = {
  User: 'users',
  Group: 'groups',
  ServicePrincipal: 'service principals',
};

/** "users, groups and service principals", "users and groups". */
function kindsOf(types: readonly SearchableType[]): string {
  const names = types.map((type) => PLURALS[type]);
  const last = names.pop() ?? '';
  return names.length > 0 ? `${names.join(', ')} and ${last}` : last;
}

/**
 * A user, group or service principal (managed identities are service principals) found through
 * Microsoft Graph as the person types: one picker for the IAM, group, check-access and app-role
 * dialogs.
 */
export function PrincipalPicker(props: Props) {
  const types = props.types ?? EVERY_SEARCHABLE_TYPE;
  const name = useId();
  const [query, setQuery] = useState('');
  const results = usePrincipalSearch(query, types);
  const exclude = props.exclude;
  const found =
    results.state !== 'ready'
      ? []
      : exclude
        ? results.value.principals.filter((p) => !exclude.has(p.id))
        : results.value.principals;
  const me = useMemo(() => (props.offerSelf ? signedInPerson() : undefined), [props.offerSelf]);
  const choices = me ? [me, ...found.filter((p) => p.id !== me.id)] : found;
  return (
    <fieldset class="picker">
      <legend>{props.legend}</legend>
      <SearchField label={`Search ${kindsOf(types)}`} hint={props.hint} value={query} onInput={setQuery} />
      {results.state === 'loading' && <p class="loading">Searching…</p>}
      {results.state === 'failed' && <Alert>{results.message}</Alert>}
      {results.state === 'ready' &&
        results.value.refused.map((message) => (
          <p class="hint" key={message}>
            Not listed, {message}
          </p>
        ))}
      <div class="options" role="radiogroup" aria-label={props.optionsLabel}>
        {choices.map((p) => (
          <label key={p.id} class="option">
            <input
              type="radio"
              name={name}
              value={p.id}
              checked={props.chosen?.id === p.id}
              onChange={() => props.onChoose(p)}
            />
            <span>
              <span class="option-name">
                {p.displayName || p.id}
                {p === me && <span class="badge">You</span>}
              </span>
              <span class="option-detail">
                {p.kind}
                {p.detail ? ` · ${p.detail}` : ''}
              </span>
            </span>
          </label>
        ))}
        {results.state === 'ready' && found.length === 0 && <p class="hint">{props.noMatch(query)}</p>}
      </div>
      {props.chosen && (
        <p class="hint">
          Chosen: <strong>{props.chosen.displayName}</strong> ({props.chosen.kind})
        </p>
      )}
    </fieldset>
  );
}

/** A search once typing pauses, and only the latest one's answer is shown. */
function usePrincipalSearch(query: string, types: readonly SearchableType[]): Loaded<PrincipalSearch> {
  const [results, setResults] = useState<Loaded<PrincipalSearch>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      searchPrincipals(query, types).then(
        (value) => current && setResults({ state: 'ready', value }),
        (e: unknown) => current && setResults({ state: 'failed', message: messageOf(e) }),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, types]);
  return results;
}

/** The signed-in person, as a choice of its own. */
function signedInPerson(): Principal | undefined {
  const account = accountStore.active();
  if (!account) return undefined;
  return {
    id: account.objectId.toLowerCase(),
    displayName: account.name || account.username,
    type: 'User',
    kind: 'User',
    detail: account.username,
  };
}
