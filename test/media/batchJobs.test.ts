import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BatchAnswer, BatchAnswerItem, BatchPart, Caller, Entity } from './protocolSupport.js';
import {
  MES_ID,
  MODEL_NS,
  NS,
  TASK_BODY,
  atomProperties,
  batchBody,
  call,
  child,
  contributor,
  createAsset,
  keyOf,
  listAll,
  parseBatchAnswer,
  parseXmlDocument,
  upload,
  waitForJob,
} from './protocolSupport.js';
import { makeClip } from './support.js';

/** What the .NET SDK (windowsazure.mediaservices 4.x, WCF Data Services client) puts on each operation. */
const SDK_HEADERS = {
  DataServiceVersion: '1.0;NetFx',
  MaxDataServiceVersion: '3.0;NetFx',
  Accept: 'application/atom+xml,application/xml',
  'Accept-Charset': 'UTF-8',
};

const atomEntry = (type: string, properties: string) =>
  '<?xml version="1.0" encoding="utf-8"?>' +
  `<entry xmlns="${NS.atom}" xmlns:d="${NS.data}" xmlns:m="${NS.metadata}">` +
  `<category scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" term="${MODEL_NS}.${type}" />` +
  '<title /><author><name /></author><updated>2024-02-01T10:00:00Z</updated><id />' +
  `<content type="application/xml"><m:properties>${properties}</m:properties></content></entry>`;

/** The job as the SDK serializes a new IJob: every property, server-set ones null or default. */
const sdkJob = (name: string) =>
  atomEntry(
    'Job',
    '<d:Created m:type="Edm.DateTime">0001-01-01T00:00:00</d:Created><d:EndTime m:null="true" />' +
      '<d:Id m:null="true" /><d:LastModified m:type="Edm.DateTime">0001-01-01T00:00:00</d:LastModified>' +
      `<d:Name>${name}</d:Name><d:Priority m:type="Edm.Int32">0</d:Priority>` +
      '<d:RunningDuration m:type="Edm.Double">0</d:RunningDuration><d:StartTime m:null="true" />' +
      '<d:State m:type="Edm.Int32">0</d:State><d:TemplateId m:null="true" />' +
      `<d:JobNotificationSubscriptions m:type="Collection(${MODEL_NS}.JobNotificationSubscription)" />`,
  );

const sdkTask = (processorId: string, taskBody = TASK_BODY) =>
  atomEntry(
    'Task',
    `<d:Configuration>AAC Good Quality Audio</d:Configuration><d:Id m:null="true" />` +
      `<d:MediaProcessorId>${processorId}</d:MediaProcessorId><d:Name>audio task</d:Name>` +
      '<d:Options m:type="Edm.Int32">0</d:Options><d:Priority m:type="Edm.Int32">0</d:Priority>' +
      `<d:TaskBody>${taskBody.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</d:TaskBody>`,
  );

type List = { value: Entity[] };

describe('$batch job submission as the .NET SDK does it', () => {
  let c: Caller;
  let input: Entity;
  let clipDir: string;

  before(async () => {
    const path = makeClip({ seconds: 2 });
    const clip = readFileSync(path);
    clipDir = dirname(path);
    c = await contributor();
    input = await createAsset(c, 'BigBuckBunny.mp4');
    await upload(c, input, [{ name: 'BigBuckBunny.mp4', bytes: clip }]);
  });
  after(async () => {
    await c.f.t.stop();
    rmSync(clipDir, { recursive: true, force: true });
  });

  /** Posts a batch framed as the SDK frames it: `Accept: multipart/mixed`, DataServiceVersion 1.0;NetFx. */
  async function sdkBatch(items: ReadonlyArray<BatchPart | BatchPart[]>) {
    const { contentType, body } = batchBody(items);
    const reply = await call(c, 'POST', '$batch', {
      body,
      contentType,
      accept: 'multipart/mixed',
      headers: { dataserviceversion: '1.0;NetFx', maxdataserviceversion: '3.0;NetFx' },
    });
    assert.equal(reply.status, 202, reply.text);
    const type = reply.headers.get('content-type') ?? '';
    assert.match(type, /^multipart\/mixed; ?boundary=batchresponse_/);
    return parseBatchAnswer(type, reply.text);
  }

  const counts = async () => ({
    jobs: (await listAll(c, 'Jobs')).length,
    tasks: (await listAll(c, 'Tasks')).length,
    assets: (await listAll(c, 'Assets')).length,
  });

  const changesetOf = (items: BatchAnswerItem[], i: number): BatchAnswer[] => {
    const item = items[i];
    assert.ok(Array.isArray(item), `item ${i} is a change set`);
    return item;
  };

  test('POST Jobs (Atom, Content-ID 1), POST $1/Tasks, POST $1/$links/InputMediaAssets: 201s with Locations; the job finishes', async () => {
    const jobs = `${c.f.api}Jobs`;
    const items = await sdkBatch([
      [
        {
          method: 'POST',
          url: jobs,
          contentId: '1',
          headers: { ...SDK_HEADERS, 'Content-Type': 'application/atom+xml;type=entry' },
          body: sdkJob('sdk batch job'),
        },
        {
          method: 'POST',
          url: '$1/Tasks',
          contentId: '2',
          headers: { ...SDK_HEADERS, 'Content-Type': 'application/atom+xml;type=entry' },
          body: sdkTask(MES_ID),
        },
        {
          method: 'POST',
          url: '$1/$links/InputMediaAssets',
          contentId: '3',
          headers: { ...SDK_HEADERS, 'Content-Type': 'application/xml' },
          body: `<?xml version="1.0" encoding="utf-8"?><uri xmlns="${NS.data}">${c.f.api}${keyOf('Assets', input.Id)}</uri>`,
        },
      ],
      { method: 'GET', url: `${c.f.api}Jobs`, headers: { Accept: 'application/json;odata=verbose' } },
    ]);
    assert.equal(items.length, 2);
    const [job, task, link] = changesetOf(items, 0) as [BatchAnswer, BatchAnswer, BatchAnswer];
    assert.equal(job.status, 201, job.body);
    assert.equal(job.headers['content-id'], '1');
    assert.match(job.headers.location ?? '', /\/api\/Jobs\('nb%3Ajid%3AUUID%3A[0-9a-f-]{36}'\)$/);
    // Each operation is answered in the dialect it asked for: Atom here.
    assert.match(job.headers['content-type'] ?? '', /^application\/atom\+xml/);
    const jobProps = atomProperties(parseXmlDocument(job.body));
    const jobId = jobProps.get('Id')?.text ?? '';
    assert.match(jobId, /^nb:jid:UUID:/);
    assert.equal(jobProps.get('Name')?.text, 'sdk batch job');
    assert.notEqual(jobProps.get('Created')?.text.slice(0, 4), '0001');
    assert.equal(task.status, 201, task.body);
    assert.equal(task.headers['content-id'], '2');
    assert.match(task.headers.location ?? '', /\/api\/Tasks\('nb%3Atid%3AUUID%3A[0-9a-f-]{36}'\)$/);
    const taskEntry = parseXmlDocument(task.body);
    assert.equal(child(taskEntry, NS.atom, 'category').attrs.term, `${MODEL_NS}.Task`);
    assert.equal(link.status, 204, link.body);
    assert.equal(link.body, '');

    const query = items[1] as BatchAnswer;
    assert.equal(query.status, 200, query.body);
    assert.match(query.headers['content-type'] ?? '', /odata=verbose/);
    const listed = (JSON.parse(query.body) as { d: { results: Entity[] } }).d.results;
    assert.ok(
      listed.some((j) => j.Id === jobId),
      'the GET after the change set sees the job',
    );
    const listedJob = listed.find((j) => j.Id === jobId) as Record<string, unknown>;
    assert.deepEqual(listedJob.JobNotificationSubscriptions, {
      __metadata: { type: `Collection(${MODEL_NS}.JobNotificationSubscription)` },
      results: [],
    });

    assert.equal(await waitForJob(c, jobId), 3, 'the job finished');
    const tasks = await call<List>(c, 'GET', `${keyOf('Jobs', jobId)}/Tasks`);
    assert.equal(tasks.json.value.length, 1);
    assert.equal(tasks.json.value[0]?.State, 3);
    assert.equal(tasks.json.value[0]?.Progress, 100);
    const inputs = await call<List>(c, 'GET', `${keyOf('Jobs', jobId)}/InputMediaAssets`);
    assert.deepEqual(
      inputs.json.value.map((a) => a.Id),
      [input.Id],
    );
    const outputs = await call<List>(c, 'GET', `${keyOf('Jobs', jobId)}/OutputMediaAssets`);
    assert.equal(outputs.json.value.length, 1);
    const files = await call<List>(c, 'GET', `${keyOf('Assets', outputs.json.value[0]?.Id ?? '')}/Files`);
    assert.ok(
      files.json.value.some((f) => /\.mp4$/.test(String(f.Name)) && Number(f.ContentFileSize) > 0),
      files.text,
    );
  });

  test('a JSON change set (minimal job, verbose task, JSON $links) with relative URLs works too', async () => {
    const items = await sdkBatch([
      [
        {
          method: 'POST',
          url: 'Jobs',
          contentId: '1',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ Name: 'json batch job' }),
        },
        {
          method: 'POST',
          url: '$1/Tasks',
          contentId: '2',
          headers: {
            'Content-Type': 'application/json;odata=verbose',
            Accept: 'application/json;odata=verbose',
          },
          body: JSON.stringify({
            Name: 'json task',
            Configuration: 'AAC Good Quality Audio',
            MediaProcessorId: MES_ID,
            TaskBody: TASK_BODY,
          }),
        },
        {
          method: 'POST',
          url: '$1/$links/InputMediaAssets',
          contentId: '3',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ uri: `https://media.windows.net/api/Assets('${input.Id}')` }),
        },
      ],
    ]);
    const [job, task, link] = changesetOf(items, 0) as [BatchAnswer, BatchAnswer, BatchAnswer];
    assert.equal(job.status, 201, job.body);
    const created = JSON.parse(job.body) as Entity;
    assert.match(String(created['odata.metadata']), /#Jobs\/@Element$/);
    assert.equal(task.status, 201, task.body);
    assert.equal((JSON.parse(task.body) as { d: Entity }).d.Name, 'json task');
    assert.equal(link.status, 204, link.body);
    assert.equal(await waitForJob(c, created.Id), 3);
  });

  for (const [what, failing, status] of [
    [
      'the second part fails (an unknown media processor)',
      (parts: BatchPart[]) => {
        parts[1] = { ...parts[1]!, body: sdkTask('nb:mpid:UUID:00000000-0000-0000-0000-000000000000') };
      },
      400,
    ],
    [
      'the third part fails (a link to an asset that does not exist)',
      (parts: BatchPart[]) => {
        parts[2] = {
          ...parts[2]!,
          body: `<uri xmlns="${NS.data}">${c.f.api}Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')</uri>`,
        };
      },
      404,
    ],
    [
      'the job is incomplete when the change set ends (a task reads JobInputAsset(1))',
      (parts: BatchPart[]) => {
        parts[1] = {
          ...parts[1]!,
          body: sdkTask(MES_ID, TASK_BODY.replace('JobInputAsset(0)', 'JobInputAsset(1)')),
        };
      },
      400,
    ],
    [
      'a later part is malformed (an Atom body that is not an entry)',
      (parts: BatchPart[]) => {
        parts.push({
          method: 'POST',
          url: 'Assets',
          contentId: '4',
          headers: { ...SDK_HEADERS, 'Content-Type': 'application/atom+xml' },
          body: `<feed xmlns="${NS.atom}" />`,
        });
      },
      400,
    ],
  ] as const) {
    test(`a change set leaves nothing when ${what}; a GET outside it still answers`, async () => {
      const before = await counts();
      const parts: BatchPart[] = [
        {
          method: 'POST',
          url: `${c.f.api}Jobs`,
          contentId: '1',
          headers: { ...SDK_HEADERS, 'Content-Type': 'application/atom+xml;type=entry' },
          body: sdkJob('doomed'),
        },
        {
          method: 'POST',
          url: '$1/Tasks',
          contentId: '2',
          headers: { ...SDK_HEADERS, 'Content-Type': 'application/atom+xml;type=entry' },
          body: sdkTask(MES_ID),
        },
        {
          method: 'POST',
          url: '$1/$links/InputMediaAssets',
          contentId: '3',
          headers: { ...SDK_HEADERS, 'Content-Type': 'application/xml' },
          body: `<uri xmlns="${NS.data}">${c.f.api}${keyOf('Assets', input.Id)}</uri>`,
        },
      ];
      failing(parts);
      const items = await sdkBatch([
        { method: 'GET', url: keyOf('Assets', input.Id), headers: { Accept: 'application/json' } },
        parts,
        { method: 'GET', url: `${c.f.api}MediaProcessors/$count`, headers: SDK_HEADERS },
      ]);
      assert.equal(items.length, 3);
      const first = items[0] as BatchAnswer;
      assert.equal(first.status, 200, first.body);
      assert.equal((JSON.parse(first.body) as Entity).Id, input.Id);
      const changeset = changesetOf(items, 1);
      assert.equal(changeset.length, 1, 'a failed change set is answered with one error');
      const [error] = changeset as [BatchAnswer];
      assert.equal(error.status, status, error.body);
      // The failing operation asked for Atom: its error is an m:error document.
      const document = parseXmlDocument(error.body);
      assert.equal(document.ns, NS.metadata);
      assert.equal(document.local, 'error');
      const last = items[2] as BatchAnswer;
      assert.equal(last.status, 200);
      assert.equal(last.body, '11');
      assert.deepEqual(await counts(), before, 'no job, no task, no output asset');
      const jobs = await listAll(c, 'Jobs');
      assert.ok(!jobs.some((j) => j.Name === 'doomed'), 'no job named doomed');
    });
  }

  test('batch framing errors are 400 OData errors and change nothing', async () => {
    const before = await counts();
    for (const [body, contentType] of [
      ['not multipart', 'multipart/mixed; boundary=b'],
      [
        '--b\r\nContent-Type: application/http\r\n\r\nPOST Assets HTTP/1.1\r\n\r\n{}\r\n--b--\r\n',
        'multipart/mixed; boundary=b',
      ],
      ['--b\r\n\r\n--b--', 'application/json'],
      [
        '--b\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n--cs\r\nContent-Type: application/http\r\n\r\nPOST $7/Tasks HTTP/1.1\r\n\r\n{}\r\n--cs--\r\n--b--\r\n',
        'multipart/mixed; boundary=b',
      ],
    ] as const) {
      const reply = await call(c, 'POST', '$batch', { body, contentType });
      assert.equal(reply.status, 400, reply.text);
      assert.ok((reply.json as Record<string, unknown>)['odata.error'], reply.text);
    }
    const get = await call(c, 'GET', '$batch');
    assert.equal(get.status, 405);
    assert.deepEqual(await counts(), before);
  });
});
