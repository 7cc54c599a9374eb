import type { SignInCursor } from '../../authority/signIn/signInLog.js';
import { graphErrors } from '../errors.js';
import type { GraphContext, GraphOperation } from '../http/context.js';
import { ok, paramOf } from '../http/context.js';
import { parseSelect } from '../odata/query.js';
import { contextUrl, project } from '../odata/responses.js';
import { signInJson, signInType } from '../shapes/signIns.js';
import { signInCondition } from './signInFilter.js';
import { entityReply } from './replies.js';

/** Graph's default and largest page of sign-ins. */
export const SIGN_IN_PAGE_SIZE = 1000;

const LIST_OPTIONS = new Set(['$filter', '$top', '$skiptoken', '$select']);
const FRAGMENT = 'auditLogs/signIns';

interface SignInQuery {
  filter?: string;
  top: number;
  after?: SignInCursor;
  select?: string[];
}

/** The query options of a list, each at most once, names without regard to case as Graph reads them. */
function parseQuery(raw: URLSearchParams): SignInQuery {
  const values = new Map<string, string>();
  for (const [name, value] of raw) {
    if (!name.startsWith('$')) continue;
    const option = name.toLowerCase();
    if (!LIST_OPTIONS.has(option))
      throw graphErrors.odataBadRequest(`Query option '${name}' is not supported on this resource.`);
    if (values.has(option)) {
      throw graphErrors.odataBadRequest(
        `Query option '${name}' was specified more than once, but it must be specified at most once.`,
      );
    }
    values.set(option, value);
  }
  const topText = values.get('$top');
  const top = topText === undefined ? SIGN_IN_PAGE_SIZE : /^\d{1,5}$/.test(topText) ? Number(topText) : NaN;
  if (!(top >= 1 && top <= SIGN_IN_PAGE_SIZE)) {
    throw graphErrors.badRequest(
      `Invalid page size specified: '${topText ?? ''}'. Must be between 1 and ${SIGN_IN_PAGE_SIZE} inclusive.`,
    );
  }
  const filter = values.get('$filter');
  const select = parseSelect(values.get('$select'), [signInType]);
  const skipToken = values.get('$skiptoken');
  return {
    top,
    ...(filter !== undefined && { filter }),
    ...(select !== undefined && { select }),
    ...(skipToken !== undefined && { after: cursorOf(skipToken) }),
  };
}

/** Skip tokens are opaque to clients: base64url of the last record of the page before. */
const skipTokenOf = (cursor: SignInCursor): string =>
  Buffer.from(JSON.stringify([cursor.atMs, cursor.id])).toString('base64url');

function cursorOf(token: string): SignInCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [atMs, id] = parsed as unknown[];
      if (Number.isSafeInteger(atMs) && typeof id === 'string' && id.length <= 64)
        return { atMs: atMs as number, id };
    }
  } catch {
    // the same answer as a well-formed token that says nothing
  }
  throw graphErrors.badRequest('The specified page token value is not valid.');
}

function nextLink(context: GraphContext, cursor: SignInCursor): string {
  const query = new URLSearchParams();
  for (const [name, value] of context.query)
    if (name.toLowerCase() !== '$skiptoken') query.append(name, value);
  query.set('$skiptoken', skipTokenOf(cursor));
  return `${context.base}/${context.path}?${query.toString().replace(/%24/g, '$')}`;
}

/**
 * `GET auditLogs/signIns`: the tenant's sign-in attempts, newest first, `$top` (at most 1,000, the
 * default) at a time with `@odata.nextLink`, narrowed by `$filter` in the log's store.
 */
export const listSignIns: GraphOperation = async (context) => {
  const query = parseQuery(context.query);
  const condition = query.filter === undefined ? undefined : signInCondition(query.filter);
  // One more than the page: whether it exists says whether there is a next page.
  const records = await context.signInLog.search(context.tenant.id, condition, {
    ...(query.after && { after: query.after }),
    limit: query.top + 1,
  });
  const page = records.slice(0, query.top);
  const last = page[page.length - 1];
  return ok({
    '@odata.context': contextUrl(context.base, FRAGMENT, query.select),
    ...(records.length > query.top && last && { '@odata.nextLink': nextLink(context, last) }),
    value: page.map((record) => project({ type: signInType, json: signInJson(record) }, query.select)),
  });
};

/** `GET auditLogs/signIns/{id}`: one attempt of the caller's tenant. */
export const getSignIn: GraphOperation = async (context) => {
  const id = paramOf(context, 'id').value;
  const [record] = await context.signInLog.search(
    context.tenant.id,
    { field: 'id', op: 'eq', value: id },
    { limit: 1 },
  );
  if (!record) throw graphErrors.notFound(id);
  return entityReply(context, { type: signInType, json: signInJson(record) }, FRAGMENT);
};
