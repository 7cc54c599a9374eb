import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GraphError } from '../../src/graph/errors.js';
import { compileFilter } from '../../src/graph/odata/evaluate.js';
import { parseFilter } from '../../src/graph/odata/filter.js';
import { servicePrincipalType } from '../../src/graph/shapes/servicePrincipals.js';
import { userType } from '../../src/graph/shapes/users.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { createUser } from '../support/users.js';
import type { GraphApp } from './support.js';
import { expectGraphError, expectOk, graph, graphApp } from './support.js';

type Json = Record<string, unknown>;
const values = (body: Json): Json[] => body.value as Json[];

/** az's `_filter_to_query`: `quote(filter, safe='')`. */
const azFilter = (filter: string): string =>
  `$filter=${encodeURIComponent(filter).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

describe('Graph $filter: the subset the directory answers', () => {
  const filterOf = (text: string) => compileFilter(parseFilter(text, [servicePrincipalType]));
  const sp = {
    id: 'a',
    appId: '00000003-0000-0000-c000-000000000000',
    displayName: 'Microsoft Graph',
    accountEnabled: true,
    servicePrincipalNames: ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'],
    tags: [],
  };

  test('comparisons, functions, lists, lambdas and logic', () => {
    const cases: Array<[string, boolean]> = [
      ["displayName eq 'microsoft graph'", true],
      ["displayName ne 'Microsoft Graph'", false],
      ["startswith(displayName,'Micro')", true],
      ["endswith(displayName,'graph')", true],
      ['appId eq 00000003-0000-0000-c000-000000000000', true],
      ["appId in ('x', '00000003-0000-0000-C000-000000000000')", true],
      ['accountEnabled eq true', true],
      ['accountEnabled eq false or accountEnabled eq null', false],
      ["servicePrincipalNames/any(c:c eq 'https://graph.microsoft.com')", true],
      ["servicePrincipalNames/any(c:startswith(c, 'https://'))", true],
      ["servicePrincipalNames/all(c:startswith(c, 'https://'))", false],
      ["tags/any(t:t eq 'x')", false],
      ["not (displayName eq 'x') and (appId eq 'y' or startswith(displayName,'M'))", true],
      ["displayName eq 'O''Brien'", false],
      ["displayName gt 'A' and displayName lt 'N'", true],
    ];
    for (const [text, expected] of cases) assert.equal(filterOf(text)(sp), expected, text);
  });

  test("bad filters are Graph's 400 'Invalid filter clause'", () => {
    const bad = [
      "displayName eq 'unterminated",
      'displayName eq',
      "favouriteColour eq 'blue'",
      "servicePrincipalNames eq 'x'",
      "displayName/any(c:c eq 'x')",
      "displayName eq 'x' and",
      "displayName eq 'x' )",
      "startswith(displayName 'x')",
      "displayName === 'x'",
      '',
      '('.repeat(100) + "displayName eq 'x'" + ')'.repeat(100),
    ];
    for (const text of bad) {
      assert.throws(
        () => parseFilter(text, [servicePrincipalType]),
        (error: unknown) =>
          error instanceof GraphError &&
          error.status === 400 &&
          error.code === 'BadRequest' &&
          error.message.startsWith('Invalid filter clause'),
        text,
      );
    }
    assert.throws(
      () => parseFilter("userPrincipalName eq 'x'", [servicePrincipalType]),
      /Could not find a property named 'userPrincipalName' on type 'microsoft.graph.servicePrincipal'/,
    );
    assert.doesNotThrow(() => parseFilter("USERPRINCIPALNAME eq 'x'", [userType]));
  });
});

describe('Graph queries over HTTP: az’s lookups, $select, paging, $count, $search', () => {
  let t: TestServer;
  let reader: GraphApp;

  before(async () => {
    t = await startTestServer();
    reader = await graphApp(t, 'query-reader', ['Directory.Read.All']);
    for (const alias of ['ann', 'anna', 'bob', 'carl', 'dora']) await createUser(t, alias);
  });
  after(() => t.stop());

  test('the lookups az 2.45 makes for --assignee, `ad sp show --id` and `ad app create`', async () => {
    const upn = `anna@${t.tenant.domain}`;
    const users = expectOk(
      await graph(t, reader.token, 'GET', `users?${azFilter(`userPrincipalName eq '${upn}'`)}`),
    );
    assert.deepEqual(
      values(users).map((u) => u.userPrincipalName),
      [upn],
    );
    const arm = expectOk(
      await graph(
        t,
        reader.token,
        'GET',
        `servicePrincipals?${azFilter("servicePrincipalNames/any(c:c eq 'https://management.core.windows.net/')")}`,
      ),
    );
    assert.deepEqual(
      values(arm).map((s) => s.appId),
      ['797f4846-ba00-4fd7-ba43-dac1f8f63013'],
    );
    const byAppId = expectOk(
      await graph(
        t,
        reader.token,
        'GET',
        `servicePrincipals?${azFilter(`servicePrincipalNames/any(c:c eq '${reader.application.appId}')`)}`,
      ),
    );
    assert.deepEqual(
      values(byAppId).map((s) => s.id),
      [reader.servicePrincipal.objectId],
    );
    const apps = expectOk(
      await graph(t, reader.token, 'GET', `applications?${azFilter(`startswith(displayName,'query-')`)}`),
    );
    assert.deepEqual(
      values(apps).map((a) => a.appId),
      [reader.application.appId],
    );
    const none = expectOk(
      await graph(
        t,
        reader.token,
        'GET',
        `applications?${azFilter("identifierUris/any(s:s eq 'api://none')")}`,
      ),
    );
    assert.deepEqual(none.value, []);
  });

  test('$select, unknown properties and options, bad filters over HTTP', async () => {
    const selected = expectOk(
      await graph(t, reader.token, 'GET', 'users?$select=id,userPrincipalName,accountEnabled'),
    );
    assert.equal(
      selected['@odata.context'],
      `${t.origin}/v1.0/$metadata#users(id,userPrincipalName,accountEnabled)`,
    );
    for (const user of values(selected))
      assert.deepEqual(Object.keys(user).sort(), ['accountEnabled', 'id', 'userPrincipalName']);
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$select=shoeSize'),
      400,
      'BadRequest',
      "Parsing OData Select and Expand failed: Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.",
    );
    expectGraphError(
      await graph(t, reader.token, 'GET', `users?${azFilter("displayName eq 'x' or")}`),
      400,
      'BadRequest',
      /^Invalid filter clause/,
    );
    expectGraphError(await graph(t, reader.token, 'GET', 'users?$expand=manager'), 400, 'BadRequest');
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$filter=a&$filter=b'),
      400,
      'BadRequest',
      /specified more than once/,
    );
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$top=0'),
      400,
      'Request_BadRequest',
      /Must be between 1 and 999/,
    );
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$skiptoken=garbage'),
      400,
      'Request_BadRequest',
    );
  });

  test('$top pages with @odata.nextLink until every user is seen once', async () => {
    const all = expectOk(await graph(t, reader.token, 'GET', 'users?$select=id'));
    const expected = values(all).map((u) => String(u.id));
    assert.ok(expected.length >= 5);
    const seen: string[] = [];
    let next: string | undefined = `${t.origin}/v1.0/users?$top=2&$select=id`;
    let pages = 0;
    while (next && pages++ < 10) {
      assert.ok(next.startsWith(`${t.origin}/v1.0/users?`), next);
      const page = expectOk(await graph(t, reader.token, 'GET', next.slice(`${t.origin}/v1.0/`.length)));
      assert.ok(values(page).length <= 2);
      seen.push(...values(page).map((u) => String(u.id)));
      next = page['@odata.nextLink'] as string | undefined;
    }
    assert.deepEqual(seen.sort(), [...expected].sort());
    assert.equal(new Set(seen).size, seen.length);
  });

  test('$orderby sorts by one property, paged with next links', async () => {
    const names: string[] = [];
    let next: string | undefined =
      `users?$orderby=displayName desc&$top=2&$select=displayName&${azFilter("endswith(displayName,' Example')")}`;
    let pages = 0;
    while (next && pages++ < 10) {
      const page = expectOk(await graph(t, reader.token, 'GET', next));
      names.push(...values(page).map((u) => String(u.displayName)));
      const link = page['@odata.nextLink'] as string | undefined;
      next = link?.slice(`${t.origin}/v1.0/`.length);
    }
    assert.deepEqual(names, ['Dora Example', 'Carl Example', 'Bob Example', 'Anna Example', 'Ann Example']);
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$orderby=identities'),
      400,
      'Request_UnsupportedQuery',
    );
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$orderby=displayName,id'),
      400,
      'Request_UnsupportedQuery',
    );
  });

  test('$count and $search need ConsistencyLevel: eventual, as Graph', async () => {
    const eventual = { consistencylevel: 'eventual' };
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$count=true'),
      400,
      'Request_BadRequest',
      '$count is not currently supported.',
    );
    const counted = expectOk(
      await graph(
        t,
        reader.token,
        'GET',
        `users?$count=true&$top=1&${azFilter("startswith(userPrincipalName,'ann')")}`,
        { headers: eventual },
      ),
    );
    assert.equal(counted['@odata.count'], 2);
    assert.equal(values(counted).length, 1);
    assert.ok(String(counted['@odata.nextLink']).includes('$count=true'));
    const raw = await graph(
      t,
      reader.token,
      'GET',
      `users/$count?${azFilter("startswith(displayName,'Ann')")}`,
      { headers: eventual },
    );
    assert.equal(raw.status, 200);
    assert.equal(raw.text, '2');
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users/$count'),
      400,
      'Request_UnsupportedQuery',
      /ConsistencyLevel:eventual/,
    );
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$search="displayName:bob"'),
      400,
      'Request_UnsupportedQuery',
    );
    const searched = expectOk(
      await graph(
        t,
        reader.token,
        'GET',
        `users?$search=${encodeURIComponent('"displayName:bob" OR "displayName:dora"')}`,
        { headers: eventual },
      ),
    );
    assert.deepEqual(
      values(searched)
        .map((u) => u.displayName)
        .sort(),
      ['Bob Example', 'Dora Example'],
    );
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users?$search=bob', { headers: eventual }),
      400,
      'BadRequest',
    );
  });

  test("unknown segments are Graph's 400, other methods on a known path 405", async () => {
    expectGraphError(
      await graph(t, reader.token, 'GET', 'planets'),
      400,
      'BadRequest',
      "Resource not found for the segment 'planets'.",
    );
    expectGraphError(
      await graph(t, reader.token, 'GET', `users/${reader.servicePrincipal.objectId}/shoes`),
      400,
      'BadRequest',
      "Resource not found for the segment 'shoes'.",
    );
    expectGraphError(await graph(t, reader.token, 'PUT', 'users'), 405, 'Request_BadRequest');
    expectGraphError(
      await graph(t, reader.token, 'GET', 'users/nobody@nowhere.example'),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(await graph(t, reader.token, 'GET', "users('unterminated)"), 400, 'BadRequest');
  });

  test('client-request-id is echoed; request-id names the request', async () => {
    const response = await graph(t, reader.token, 'GET', 'organization', {
      headers: { 'client-request-id': '5f0c1a3e-7d7b-4b6e-9c2a-1e9f0e0c1a2b' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('client-request-id'), '5f0c1a3e-7d7b-4b6e-9c2a-1e9f0e0c1a2b');
    assert.match(response.headers.get('request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json;odata\.metadata=minimal/);
  });
});
