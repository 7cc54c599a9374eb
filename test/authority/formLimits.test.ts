import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_FORM_PARAMETERS, TOKEN_BODY_LIMIT, parseTokenForm } from '../../src/authority/formBody.js';
import { AadstsError } from '../../src/authority/errors.js';
import { FORM, expectAadsts, postForm, tokenUrl } from '../support/authority.js';
import { headersOnly } from '../support/headersOnly.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { endlessChunkedBody } from '../net/chunkedBody.js';

const PAGE_FORM_LIMIT = 8 * 1024;

const asResponse = (answer: { status: number; headers: Headers; text: string }) =>
  new Response(answer.text, { status: answer.status, headers: answer.headers });

const aadstsCode = (work: () => unknown): number | undefined => {
  try {
    work();
  } catch (error) {
    if (error instanceof AadstsError) return error.code;
    throw error;
  }
  return undefined;
};

describe('the form parser', () => {
  it('refuses a parameter sent twice with Entra’s 9000411, whatever its value or encoding', () => {
    for (const body of ['a=1&a=1', 'scope=x&b=2&scope=y', 'client%5Fid=a&client_id=b', 'x&x=']) {
      assert.equal(
        aadstsCode(() => parseTokenForm(FORM, body)),
        9000411,
        body,
      );
    }
    const error = (() => {
      try {
        parseTokenForm(FORM, 'grant_type=a&grant_type=b');
      } catch (caught) {
        return caught as AadstsError;
      }
    })();
    assert.equal(
      error?.description,
      "The request is not properly formatted. The parameter 'grant_type' is duplicated.",
    );
  });

  it(`refuses more than ${MAX_FORM_PARAMETERS} parameters with 90004, and takes that many`, () => {
    const pairs = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=v`).join('&');
    assert.equal(parseTokenForm(FORM, pairs(MAX_FORM_PARAMETERS)).size, MAX_FORM_PARAMETERS);
    assert.equal(
      aadstsCode(() => parseTokenForm(FORM, pairs(MAX_FORM_PARAMETERS + 1))),
      90004,
    );
    // Empty pairs are not parameters; names without `=` are, with empty values.
    assert.deepEqual(
      [...parseTokenForm(FORM, '&&a&&b=1&&')],
      [
        ['a', ''],
        ['b', '1'],
      ],
    );
  });

  it('reads a pair’s `=` within the pair, not in the rest of the body', () => {
    // `a&b=c`: the first pair has no value, even though an `=` follows in the body.
    assert.deepEqual(
      [...parseTokenForm(FORM, 'a&b=c')],
      [
        ['a', ''],
        ['b', 'c'],
      ],
    );
    assert.deepEqual(
      [...parseTokenForm(FORM, 'k=v=w&x=%3D')],
      [
        ['k', 'v=w'],
        ['x', '='],
      ],
    );
  });
});

describe('authority bodies over their route’s limit', { timeout: 60_000 }, () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  it('answers the token endpoint’s 413 from Content-Length alone, and cuts a chunked body off', async () => {
    const announced = await headersOnly(tokenUrl(t), 'POST', {
      contentLength: TOKEN_BODY_LIMIT + 1,
      contentType: FORM,
    });
    const body = await expectAadsts(asResponse(announced), 413, 'invalid_request', 90100);
    assert.ok(body.error_description.includes(`${TOKEN_BODY_LIMIT} bytes`));
    assert.equal(announced.headers.get('connection'), 'close');

    const chunked = await endlessChunkedBody(tokenUrl(t), 'POST', {
      headers: { 'content-type': FORM },
      fill: 'a',
    });
    await expectAadsts(asResponse(chunked), 413, 'invalid_request', 90100);
    assert.equal(chunked.headers.get('connection'), 'close');
  });

  it('answers 9000411 for a duplicated token parameter and 90004 for too many', async () => {
    const duplicated = await postForm(tokenUrl(t), 'grant_type=client_credentials&client_id=a&client_id=a');
    const body = await expectAadsts(duplicated, 400, 'invalid_request', 9000411);
    assert.ok(body.error_description.includes("The parameter 'client_id' is duplicated."));

    const many = Array.from({ length: MAX_FORM_PARAMETERS + 1 }, (_, i) => `extra${i}=1`).join('&');
    await expectAadsts(
      await postForm(tokenUrl(t), `grant_type=client_credentials&${many}`),
      400,
      'invalid_request',
      90004,
    );
  });

  it('shows 9000411 on the sign-in page for a duplicated authorization parameter', async () => {
    const url = `${t.origin}/${t.tenant.id}/oauth2/v2.0/authorize?client_id=a&response_type=code&client_id=b`;
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400);
    const page = await response.text();
    assert.match(page, /AADSTS9000411/);
    assert.match(page, /is duplicated/);
  });

  it('refuses a sign-in form over its own limit with the error page, reading nothing', async () => {
    for (const path of [`/${t.tenant.id}/login`, '/devicelogin']) {
      const response = await headersOnly(`${t.origin}${path}`, 'POST', {
        contentLength: PAGE_FORM_LIMIT + 1,
        contentType: FORM,
      });
      assert.equal(response.status, 413, `${path}: ${response.text}`);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(response.text, new RegExp(`${PAGE_FORM_LIMIT} bytes`));
      assert.match(response.text, /AADSTS90100/);
    }
    // The authorization endpoint takes a longer form: the same size is not refused for size.
    const authorize = await postForm(
      `${t.origin}/${t.tenant.id}/oauth2/v2.0/authorize`,
      `client_id=a&state=${'s'.repeat(PAGE_FORM_LIMIT)}`,
    );
    assert.notEqual(authorize.status, 413, await authorize.text());
  });
});
