import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError, mediaErrors, serializeMediaError } from '../../src/media/errors.js';
import { parseBatch, resolveContentIdReference, serializeBatch } from '../../src/media/odata/batch.js';
import type { BatchItem, BatchResult } from '../../src/media/odata/batch.js';

const ATOM =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" ' +
  'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">\n' +
  '  <content type="application/xml"><m:properties><d:Name>encode --batch_a1e2 job</d:Name></m:properties></content>\n' +
  '</entry>';
const TASK_JSON =
  '{"Name":"task","Configuration":"H264 Single Bitrate 720p",' +
  '"MediaProcessorId":"nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56",' +
  '"TaskBody":"<taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody>"}';

/** The brief's example: a change set (Atom job, JSON task on `$1`) and a GET outside it. */
function exampleText(eol: string): string {
  return [
    '--batch_a1e2',
    'Content-Type: multipart/mixed; boundary=changeset_b3c4',
    '',
    '--changeset_b3c4',
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    'POST https://host/media/acct/api/Jobs HTTP/1.1',
    'Content-ID: 1',
    'Content-Type: application/atom+xml;type=entry',
    'DataServiceVersion: 1.0;NetFx',
    '',
    ATOM,
    '--changeset_b3c4',
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    'Content-ID: 2',
    '',
    'POST $1/Tasks HTTP/1.1',
    'Content-Type: application/json;odata=verbose',
    '',
    TASK_JSON,
    '--changeset_b3c4--',
    '--batch_a1e2',
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    'GET https://host/media/acct/api/Assets HTTP/1.1',
    'Accept: application/json',
    '',
    '--batch_a1e2--',
    '',
  ].join(eol);
}
const EXAMPLE_TYPE = 'multipart/mixed; boundary=batch_a1e2';

const EXPECTED: BatchItem[] = [
  {
    kind: 'changeset',
    requests: [
      {
        method: 'POST',
        url: 'https://host/media/acct/api/Jobs',
        headers: {
          'content-id': '1',
          'content-type': 'application/atom+xml;type=entry',
          dataserviceversion: '1.0;NetFx',
        },
        body: Buffer.from(ATOM),
        contentId: '1',
      },
      {
        method: 'POST',
        url: '$1/Tasks',
        headers: { 'content-type': 'application/json;odata=verbose' },
        body: Buffer.from(TASK_JSON),
        contentId: '2',
      },
    ],
  },
  {
    kind: 'query',
    request: {
      method: 'GET',
      url: 'https://host/media/acct/api/Assets',
      headers: { accept: 'application/json' },
      body: Buffer.alloc(0),
    },
  },
];

// Small builders for the cases below: boundary `b`, change-set boundary `cs`, CRLF.
const TYPE = 'multipart/mixed; boundary=b';
const crlf = (...rows: string[]) => Buffer.from(rows.join('\r\n'));
const operation = (requestLine: string, ...rest: string[]) => [
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  requestLine,
  ...rest,
];
const query = (url = 'Assets') => ['--b', ...operation(`GET ${url} HTTP/1.1`, '')];
const post = (url = 'Assets', ...headers: string[]) =>
  operation(`POST ${url} HTTP/1.1`, ...headers, '', '{}');
const changeset = (...requests: string[][]) => [
  '--b',
  'Content-Type: multipart/mixed; boundary=cs',
  '',
  ...requests.flatMap((request) => ['--cs', ...request]),
  '--cs--',
];

function assertBadRequest(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected a MediaError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'BadRequest');
    assert.match(error.message, message);
    return true;
  });
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing mutation can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseBatch', () => {
  it('reads the SDK-style example: a change set with Atom and JSON bodies, `$1`, and a GET outside', () => {
    assert.deepEqual(parseBatch(EXAMPLE_TYPE, Buffer.from(exampleText('\r\n'))), EXPECTED);
  });

  it('reads the same batch framed with bare LF', () => {
    assert.deepEqual(parseBatch(EXAMPLE_TYPE, Buffer.from(exampleText('\n'))), EXPECTED);
  });

  it('accepts quoted boundaries, other parameters and parameter names in any case', () => {
    const text = exampleText('\r\n').replace('boundary=changeset_b3c4', 'boundary="changeset_b3c4"');
    const type = 'Multipart/Mixed; charset=utf-8; Boundary="batch_a1e2"';
    assert.deepEqual(parseBatch(type, Buffer.from(text)), EXPECTED);

    // A quoted boundary may hold spaces and separators; the MS-ODATA examples use parentheses.
    const spaced = crlf(...query().map((row) => row.replace('--b', '--a b;c')), '--a b;c--');
    assert.equal(parseBatch('multipart/mixed; boundary="a b;c"', spaced).length, 1);
    const guid = 'batch(36522ad7-fc75-4b56-8c71-56071383e77b)';
    const parenthesised = crlf(...query().map((row) => row.replace('--b', `--${guid}`)), `--${guid}--`);
    assert.equal(parseBatch(`multipart/mixed; boundary=${guid}`, parenthesised).length, 1);
  });

  it('keeps several change sets and queries in order; Content-IDs restart in each change set', () => {
    const items = parseBatch(
      TYPE,
      crlf(
        ...query('Assets'),
        ...changeset(post('Jobs', 'Content-ID: 1'), post('$1/Tasks', 'Content-ID: 2')),
        ...query('Jobs'),
        ...changeset(post('Assets', 'Content-ID: 1')),
        ...changeset(),
        '--b--',
      ),
    );
    assert.deepEqual(
      items.map((item) =>
        item.kind === 'query'
          ? `GET ${item.request.url}`
          : item.requests.map((r) => `${r.method} ${r.url} #${r.contentId}`).join(' | '),
      ),
      ['GET Assets', 'POST Jobs #1 | POST $1/Tasks #2', 'GET Jobs', 'POST Assets #1', ''],
    );
  });

  it('leaves boundary look-alikes that do not start a line, or run on, inside the body', () => {
    const body = [
      '{"a":"--batch_a1e2", "b": "x --changeset_b3c4",',
      '--batch_a1e2x is not a delimiter',
      '--changeset_b3c4_ neither',
      '--changeset_b3c4 trailing words neither',
      ' --batch_a1e2--',
      '"z":"--changeset_b3c4--"}',
    ].join('\r\n');
    const text = exampleText('\r\n').replace(TASK_JSON, body);
    const [first] = parseBatch(EXAMPLE_TYPE, Buffer.from(text));
    assert.equal(first?.kind, 'changeset');
    assert.equal(first.kind === 'changeset' ? first.requests[1]?.body.toString() : undefined, body);
  });

  it('keeps body bytes exactly: leading and trailing line breaks, NUL and 0xFF', () => {
    const raw = Buffer.concat([Buffer.from('\r\n  {"a":1}\n\r\n'), Buffer.from([0, 0xff, 0xfe, 0x0d])]);
    const head = ['--b', 'Content-Type: multipart/mixed; boundary=cs', '', '--cs'];
    const request = operation('PUT Assets(1) HTTP/1.1', 'Content-Type: application/octet-stream', '', '');
    const batch = Buffer.concat([crlf(...head, ...request), raw, crlf('', '--cs--', '--b--')]);
    const [item] = parseBatch(TYPE, batch);
    assert.deepEqual(item?.kind === 'changeset' ? item.requests[0]?.body : undefined, raw);
  });

  it('reads MIME or HTTP Content-IDs, relative paths, keys with colons, folded and repeated headers', () => {
    const [item] = parseBatch(
      TYPE,
      crlf(
        ...changeset(
          ['Content-ID: 7', ...post("/api/Assets('nb:cid:UUID:1')", 'Content-ID: 7')],
          operation(
            'merge $7 HTTP/1.1',
            'X-Custom: one',
            '  two',
            'x-custom: three',
            'Content-Length: 5000',
            '',
            '{"Name":"n"}',
          ),
        ),
        '--b--',
      ),
    );
    assert.equal(item?.kind, 'changeset');
    const [first, second] = item.kind === 'changeset' ? item.requests : [];
    assert.equal(first?.url, "/api/Assets('nb:cid:UUID:1')");
    assert.equal(first?.contentId, '7');
    assert.equal(second?.method, 'MERGE');
    assert.equal(second?.url, '$7');
    assert.equal(second?.contentId, undefined);
    assert.deepEqual(second?.headers, { 'x-custom': 'one two, three', 'content-length': '5000' });
    // The delimiter, not a (wrong) Content-Length, ends the body.
    assert.equal(second?.body.toString(), '{"Name":"n"}');
  });

  it('ignores preamble and epilogue and accepts transport padding after a delimiter', () => {
    const items = parseBatch(
      TYPE,
      crlf('This is the preamble.', '--b  ', ...query().slice(1), '--b-- ', 'epilogue', '--b', 'junk'),
    );
    assert.equal(items.length, 1);
    assert.deepEqual(parseBatch(TYPE, crlf('--b--', '')), []);
  });

  it('scans a 10 MB body full of near-miss delimiters in one pass', () => {
    const unit = '\r\n--batch_a1e2x\n--changeset_b3c4-y\r\n--batch_a1e2 z --changeset_b3c4\n';
    const huge = unit.repeat(Math.ceil((10 * 1024 * 1024) / unit.length));
    const text = exampleText('\r\n').replace(TASK_JSON, huge);
    const [item] = parseBatch(EXAMPLE_TYPE, Buffer.from(text));
    const body = item?.kind === 'changeset' ? item.requests[1]?.body : undefined;
    assert.equal(body?.length, Buffer.byteLength(huge));
    assert.ok(body?.equals(Buffer.from(huge)));
  });

  it('throws only MediaErrors for any truncation or byte mutation of a valid batch', () => {
    const valid = Buffer.from(exampleText('\r\n'));
    const check = (input: Buffer) => {
      try {
        parseBatch(EXAMPLE_TYPE, input);
      } catch (error) {
        assert.ok(error instanceof MediaError, `not a MediaError: ${String(error)}`);
        assert.equal(error.status, 400);
      }
    };
    for (let length = 0; length <= valid.length; length++) check(valid.subarray(0, length));
    const next = random(20240229);
    const bytes = Buffer.from('\r\n-: "$x\0;=');
    for (let n = 0; n < 500; n++) {
      const mutated = Buffer.from(valid);
      for (let k = 0; k < 3; k++) {
        mutated[Math.floor(next() * mutated.length)] = bytes[Math.floor(next() * bytes.length)] ?? 0;
      }
      check(mutated);
    }
  });

  describe('rejects with a 400', () => {
    const one = crlf(...query(), '--b--');
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['no Content-Type', () => parseBatch(undefined, one), /Content-Type is missing/],
      [
        'a non-multipart Content-Type',
        () => parseBatch('application/json', one),
        /expected multipart\/mixed/,
      ],
      ['no boundary', () => parseBatch('multipart/mixed', one), /no boundary parameter/],
      [
        'two boundaries',
        () => parseBatch('multipart/mixed; boundary=b; boundary=c', one),
        /more than one boundary/,
      ],
      ['an empty boundary', () => parseBatch('multipart/mixed; boundary=""', one), /invalid boundary/],
      [
        'a boundary of 201 characters',
        () => parseBatch(`multipart/mixed; boundary=${'x'.repeat(201)}`, one),
        /invalid boundary/,
      ],
      ['an unterminated quote', () => parseBatch('multipart/mixed; boundary="b', one), /unterminated quoted/],
      [
        'a body without delimiter',
        () => parseBatch(TYPE, Buffer.from('GET Assets HTTP/1.1')),
        /no '--b' delimiter/,
      ],
      ['an empty body', () => parseBatch(TYPE, Buffer.alloc(0)), /no '--b' delimiter/],
      [
        'no closing delimiter',
        () => parseBatch(TYPE, crlf(...query(), '')),
        /missing its closing delimiter '--b--'/,
      ],
      [
        'a change set without closing delimiter',
        () => parseBatch(TYPE, crlf(...changeset(post()).slice(0, -1), '--b--')),
        /change set in batch part 1 is missing its closing delimiter '--cs--'/,
      ],
      [
        'a part without Content-Type',
        () =>
          parseBatch(
            TYPE,
            crlf('--b', 'Content-Transfer-Encoding: binary', '', 'GET Assets HTTP/1.1', '--b--'),
          ),
        /batch part 1 has Content-Type ''/,
      ],
      [
        'a part that is not application/http',
        () => parseBatch(TYPE, crlf('--b', 'Content-Type: text/plain', '', 'GET Assets HTTP/1.1', '--b--')),
        /Content-Type 'text\/plain'; expected application\/http or multipart\/mixed/,
      ],
      [
        'a base64 part',
        () => parseBatch(TYPE, crlf(...query().map((r) => r.replace('binary', 'base64')), '--b--')),
        /Content-Transfer-Encoding 'base64'/,
      ],
      [
        'a part without blank line after its MIME headers',
        () => parseBatch(TYPE, crlf('--b', 'Content-Type: application/http', '--b--')),
        /no blank line after its MIME headers/,
      ],
      [
        'a part without request line',
        () => parseBatch(TYPE, crlf('--b', 'Content-Type: application/http', '', '', '--b--')),
        /no HTTP request line/,
      ],
      [
        'a request line of two words',
        () => parseBatch(TYPE, crlf('--b', ...operation('GET Assets', ''), '--b--')),
        /'GET Assets', not an HTTP request line/,
      ],
      [
        'a request line of five words',
        () => parseBatch(TYPE, crlf(...query('Assets HTTP/1.1 x'), '--b--')),
        /not an HTTP request line/,
      ],
      [
        'HTTP/2 in the request line',
        () => parseBatch(TYPE, crlf('--b', ...operation('GET Assets HTTP/2', ''), '--b--')),
        /expected HTTP\/1\.1/,
      ],
      [
        'an invalid method',
        () => parseBatch(TYPE, crlf('--b', ...operation('G3T Assets HTTP/1.1', ''), '--b--')),
        /invalid HTTP method 'G3T'/,
      ],
      [
        'an ftp URL',
        () => parseBatch(TYPE, crlf(...query('ftp://host/api/Assets'), '--b--')),
        /neither a path nor an http/,
      ],
      [
        'a mailto URL',
        () => parseBatch(TYPE, crlf(...query('mailto:a@b'), '--b--')),
        /neither a path nor an http/,
      ],
      [
        'a network-path reference',
        () => parseBatch(TYPE, crlf(...query('//evil/api/Assets'), '--b--')),
        /neither a path/,
      ],
      [
        'an http URL without host',
        () => parseBatch(TYPE, crlf(...query('http:///Assets'), '--b--')),
        /neither a path/,
      ],
      ['a backslash', () => parseBatch(TYPE, crlf(...query('api\\Assets'), '--b--')), /neither a path/],
      ['a query-only target', () => parseBatch(TYPE, crlf(...query('?$top=1'), '--b--')), /neither a path/],
      [
        'a POST outside a change set',
        () => parseBatch(TYPE, crlf('--b', ...post(), '--b--')),
        /POST outside a change set; only GET/,
      ],
      [
        'a GET inside a change set',
        () => parseBatch(TYPE, crlf(...changeset(operation('GET Assets HTTP/1.1', '')), '--b--')),
        /is a GET; a change set holds only POST, PUT, MERGE, PATCH and DELETE/,
      ],
      [
        'a nested change set',
        () =>
          parseBatch(
            TYPE,
            crlf(...changeset(['Content-Type: multipart/mixed; boundary=inner', '', '--inner--']), '--b--'),
          ),
        /change sets cannot nest/,
      ],
      [
        'a change set reusing the batch boundary',
        () => parseBatch(TYPE, crlf('--b', 'Content-Type: multipart/mixed; boundary=b', '', '--b--')),
        /reuses the batch boundary/,
      ],
      [
        'a duplicate Content-ID',
        () =>
          parseBatch(
            TYPE,
            crlf(...changeset(post('A', 'Content-ID: 1'), ['Content-ID: 1', ...post('B')]), '--b--'),
          ),
        /repeats the Content-ID '1'/,
      ],
      [
        'two different Content-IDs on one request',
        () => parseBatch(TYPE, crlf(...changeset(['Content-ID: 1', ...post('A', 'Content-ID: 2')]), '--b--')),
        /two different Content-IDs/,
      ],
      [
        'a reference to a later Content-ID',
        () =>
          parseBatch(
            TYPE,
            crlf(...changeset(post('$2/Tasks', 'Content-ID: 1'), post('B', 'Content-ID: 2')), '--b--'),
          ),
        /refers to '\$2', which no earlier request/,
      ],
      [
        'a reference outside a change set',
        () => parseBatch(TYPE, crlf(...query('$1/Tasks'), '--b--')),
        /outside a change set/,
      ],
      [
        'a header line without colon',
        () =>
          parseBatch(
            TYPE,
            crlf('--b', ...operation('GET Assets HTTP/1.1', 'Accept application/json', ''), '--b--'),
          ),
        /malformed header line 'Accept application\/json'/,
      ],
      [
        'a continuation line first',
        () => parseBatch(TYPE, crlf('--b', ' folded', '', '--b--')),
        /starts its headers with a continuation line/,
      ],
      [
        'a header line over 16 KiB',
        () =>
          parseBatch(
            TYPE,
            crlf('--b', ...operation('GET Assets HTTP/1.1', `X-Long: ${'a'.repeat(17000)}`, ''), '--b--'),
          ),
        /line longer than 16384 bytes/,
      ],
      [
        '101 headers',
        () =>
          parseBatch(
            TYPE,
            crlf(
              '--b',
              ...operation('GET Assets HTTP/1.1', ...Array.from({ length: 101 }, (_, i) => `X-${i}: v`), ''),
              '--b--',
            ),
          ),
        /more than 100 header lines/,
      ],
      [
        '1001 operations (default limit)',
        () => parseBatch(TYPE, crlf(...Array.from({ length: 1001 }, () => query()).flat(), '--b--')),
        /more than 1000 operations/,
      ],
      [
        'more operations than maxParts',
        () => parseBatch(TYPE, crlf(...query(), ...query(), ...query(), '--b--'), { maxParts: 2 }),
        /more than 2 operations/,
      ],
      [
        'more operations than maxParts across change sets',
        () => parseBatch(TYPE, crlf(...query(), ...changeset(post(), post()), '--b--'), { maxParts: 2 }),
        /more than 2 operations/,
      ],
      [
        'a change set larger than maxChangesetSize',
        () => parseBatch(TYPE, crlf(...changeset(post(), post(), post()), '--b--'), { maxChangesetSize: 2 }),
        /change set in batch part 1 holds more than 2 requests/,
      ],
    ];
    for (const [name, run, message] of cases) it(name, () => assertBadRequest(run, message));
  });
});

describe('resolveContentIdReference', () => {
  const job = "https://host/api/Jobs('nb%3Ajid%3AUUID%3A1')";
  const locations = new Map([
    ['1', job],
    ['2', 'https://host/api/Assets/'],
  ]);

  it('replaces `$<id>` with the Location of that request', () => {
    assert.equal(resolveContentIdReference('$1/Tasks', locations), `${job}/Tasks`);
    assert.equal(resolveContentIdReference('$1', locations), job);
    assert.equal(resolveContentIdReference('$1?$select=Name', locations), `${job}?$select=Name`);
    assert.equal(
      resolveContentIdReference('$1/$links/InputMediaAssets', locations),
      `${job}/$links/InputMediaAssets`,
    );
    assert.equal(resolveContentIdReference('$2/Files', locations), 'https://host/api/Assets/Files');
  });

  it('leaves URLs without reference, and $metadata, unchanged', () => {
    for (const url of ['Jobs', '/api/Jobs', 'https://host/api/Jobs', '$metadata', '$batch', 'Jobs/$1'])
      assert.equal(resolveContentIdReference(url, locations), url);
  });

  it('rejects a reference to a Content-ID without Location', () => {
    assertBadRequest(
      () => resolveContentIdReference('$9/Tasks', locations),
      /reference '\$9' names no earlier/,
    );
  });
});

describe('serializeBatch', () => {
  const boundaries = (body: string) =>
    [...body.matchAll(/boundary=(changesetresponse_[0-9a-f-]{36})/g)].map((m) => m[1]);

  it('answers the example batch the way WCF Data Services did', () => {
    const items = parseBatch(EXAMPLE_TYPE, Buffer.from(exampleText('\r\n')));
    const jobUrl = "https://host/media/acct/api/Jobs('nb%3Ajid%3AUUID%3A1')";
    const locations = new Map<string, string>();
    const results: BatchResult[] = items.map((item): BatchResult => {
      if (item.kind === 'query') {
        return {
          kind: 'query',
          response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"value":[]}' },
        };
      }
      return {
        kind: 'changeset',
        responses: item.requests.map((request) => {
          const url = resolveContentIdReference(request.url, locations);
          const location = url.endsWith('/Tasks') ? `${url}('nb%3Atid%3AUUID%3A2')` : jobUrl;
          if (request.contentId !== undefined) locations.set(request.contentId, location);
          return {
            status: 201,
            headers: {
              'content-type': 'application/atom+xml;type=entry',
              location,
              dataserviceversion: '1.0;',
            },
            body: `<entry><id>${location}</id></entry>`,
            ...(request.contentId !== undefined ? { contentId: request.contentId } : {}),
          };
        }),
      };
    });
    const { contentType, body } = serializeBatch(results);
    const batch = /^multipart\/mixed; boundary=(batchresponse_[0-9a-f-]{36})$/.exec(contentType)?.[1];
    assert.ok(batch, contentType);
    const text = body.toString('utf8');
    const [changesetBoundary] = boundaries(text);
    const created = (id: string, location: string) => [
      `--${changesetBoundary}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 201 Created',
      `Content-ID: ${id}`,
      'Content-Type: application/atom+xml;type=entry',
      `Location: ${location}`,
      'DataServiceVersion: 1.0;',
      '',
      `<entry><id>${location}</id></entry>`,
    ];
    const expected = [
      `--${batch}`,
      `Content-Type: multipart/mixed; boundary=${changesetBoundary}`,
      '',
      ...created('1', jobUrl),
      ...created('2', `${jobUrl}/Tasks('nb%3Atid%3AUUID%3A2')`),
      `--${changesetBoundary}--`,
      `--${batch}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json',
      '',
      '{"value":[]}',
      `--${batch}--`,
      '',
    ].join('\r\n');
    assert.equal(text, expected);
  });

  it('writes a failed change set as one error response inside its change-set part', () => {
    const error = serializeMediaError(mediaErrors.notFound(), 'atom');
    const { contentType, body } = serializeBatch([
      {
        kind: 'changeset',
        responses: [{ status: error.status, headers: error.headers, body: error.body, contentId: '2' }],
      },
    ]);
    const text = body.toString();
    const batch = contentType.split('boundary=')[1];
    const [changesetBoundary] = boundaries(text);
    assert.equal(
      text,
      [
        `--${batch}`,
        `Content-Type: multipart/mixed; boundary=${changesetBoundary}`,
        '',
        `--${changesetBoundary}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        'HTTP/1.1 404 Not Found',
        'Content-ID: 2',
        'DataServiceVersion: 3.0;',
        'Content-Type: application/xml;charset=utf-8',
        '',
        error.body,
        `--${changesetBoundary}--`,
        `--${batch}--`,
        '',
      ].join('\r\n'),
    );
  });

  it('owns the framing headers: one Content-ID, no Content-Length; other names as given', () => {
    const { body } = serializeBatch([
      {
        kind: 'changeset',
        responses: [
          {
            status: 204,
            headers: { 'Content-Length': '999', 'content-id': '9', 'x-ms-request-id': 'r1', ETag: 'W/"1"' },
            body: '',
            contentId: '3',
          },
        ],
      },
    ]);
    const text = body.toString();
    assert.match(
      text,
      /\r\nHTTP\/1\.1 204 No Content\r\nContent-ID: 3\r\nx-ms-request-id: r1\r\nETag: W\/"1"\r\n\r\n\r\n--/,
    );
    assert.equal(text.match(/content-id/gi)?.length, 1);
    assert.doesNotMatch(text, /content-length/i);
  });

  it('keeps binary bodies byte for byte and uses fresh boundaries', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const results: BatchResult[] = [
      { kind: 'query', response: { status: 200, headers: {}, body: bytes } },
      { kind: 'changeset', responses: [] },
      { kind: 'changeset', responses: [] },
    ];
    const first = serializeBatch(results);
    const second = serializeBatch(results);
    assert.notEqual(first.contentType, second.contentType);
    const at = first.body.indexOf('HTTP/1.1 200 OK\r\n\r\n') + 'HTTP/1.1 200 OK\r\n\r\n'.length;
    assert.ok(first.body.subarray(at, at + 256).equals(bytes));
    assert.equal(first.body.toString('latin1', at + 256, at + 258), '\r\n');
    const [a, b] = boundaries(first.body.toString('latin1'));
    assert.ok(a && b && a !== b);
    const empty = serializeBatch([]);
    assert.equal(empty.body.toString(), `--${empty.contentType.split('boundary=')[1]}--\r\n`);
  });

  it('refuses invalid statuses and headers that could break the framing', () => {
    const part = (status: number, headers: Record<string, string> = {}): BatchResult[] => [
      { kind: 'query', response: { status, headers, body: '' } },
    ];
    for (const status of [99, 600, 200.5]) assert.throws(() => serializeBatch(part(status)), RangeError);
    assert.throws(() => serializeBatch(part(200, { location: 'a\r\nHTTP/1.1 200 OK' })), TypeError);
    assert.throws(() => serializeBatch(part(200, { 'bad name': 'v' })), TypeError);
    assert.match(serializeBatch(part(202)).body.toString(), /HTTP\/1\.1 202 Accepted\r\n/);
  });
});
