import assert from 'node:assert/strict';
import { X509Certificate, constants, createHmac, publicEncrypt, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Entity } from './jobsSupport.js';
import { Clips, JobState, JobsClient, sleep } from './jobsSupport.js';
import type { MediaFixture } from './support.js';
import { media, mediaCaller, startMedia } from './support.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Message {
  MessageVersion: string;
  ETag: string;
  EventType: number;
  TimeStamp: string;
  Properties: Record<string, string>;
}

/** A webhook receiver: records every POST; `/failing` answers 500, and only once released. */
class Receiver {
  readonly received: Received[] = [];
  private readonly held: ServerResponse[] = [];
  private holding = true;
  private server!: Server;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        if (path !== '/failing') return void res.writeHead(200).end();
        if (this.holding) this.held.push(res);
        else res.writeHead(500).end('down');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Requests to /failing still waiting for their answer. */
  get unanswered(): number {
    return this.held.filter((res) => !res.writableEnded).length;
  }

  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.writeHead(500).end('down');
  }

  async stop(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What the webhook samples' VerifyWebHookRequestSignature recomputes. */
const expectedSignature = (key: Buffer, body: Buffer) =>
  `sha256=${createHmac('sha256', key).update(body).digest('hex').toUpperCase()}`;

describe('job notifications to a webhook, end to end', () => {
  let f: MediaFixture;
  let c: JobsClient;
  const receiver = new Receiver();
  const clips = new Clips();
  let clip: string;

  before(async () => {
    clip = await clips.make('Hooked.mp4', { seconds: 2 });
    await receiver.start();
    f = await startMedia('hookacct');
    const { token } = await mediaCaller(f, { displayName: 'notified', role: 'Contributor' });
    c = new JobsClient(f, token);
  });
  after(async () => {
    await f?.t.stop();
    await receiver.stop();
    await clips.remove();
  });

  /** NotificationEndPoints.Create(name, WebHook, address, signingKey), as the .NET SDK sends it. */
  async function webhook(path: string, signingKey: Buffer): Promise<Entity> {
    const id = await media<{ value: string }>(f, c.token, 'GET', 'GetProtectionKeyId?contentKeyType=2');
    assert.equal(id.status, 200, id.text);
    const thumbprint = id.json.value;
    const cert = await media<{ value: string }>(
      f,
      c.token,
      'GET',
      `GetProtectionKey?ProtectionKeyId='${thumbprint}'`,
    );
    assert.equal(cert.status, 200, cert.text);
    const wrapped = publicEncrypt(
      {
        key: new X509Certificate(Buffer.from(cert.json.value, 'base64')).publicKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha1',
      },
      signingKey,
    ).toString('base64');
    const created = await media<Entity>(f, c.token, 'POST', 'NotificationEndPoints', {
      body: {
        Name: path,
        EndPointAddress: `${receiver.origin}${path}`,
        EndPointType: 3,
        CredentialType: 1,
        EncryptedEndPointCredential: wrapped,
        ProtectionKeyType: 0,
        ProtectionKeyId: thumbprint,
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.ok(!created.text.includes(signingKey.toString('base64')), 'the clear key is never answered');
    return created.json;
  }

  /** Bounded wait for `count` messages at `path`. */
  async function messages(path: string, count: number): Promise<Received[]> {
    for (let i = 0; i < 300 && receiver.at(path).length < count; i++) await sleep(50);
    const got = receiver.at(path);
    assert.equal(got.length, count, `${path}: ${got.map((r) => r.body.toString()).join('\n')}`);
    return got;
  }

  test('Queued → Scheduled → Processing → Finished arrive signed; FinalStatesOnly gets the last; a failing hook holds nothing up', async () => {
    const allKey = randomBytes(64);
    const finalKey = randomBytes(64);
    const all = await webhook('/all', allKey);
    const final = await webhook('/final', finalKey);
    const failing = await webhook('/failing', randomBytes(64));
    const input = await c.upload(clip, 'Hooked.mp4');
    const created = await c.submit({
      name: 'hooked job',
      inputs: [input],
      tasks: [{ Configuration: 'H264 Single Bitrate Low Quality SD for Android' }],
      subscriptions: [
        { NotificationEndPointId: all.Id, TargetJobState: 2 },
        { NotificationEndPointId: final.Id, TargetJobState: 1 },
        { NotificationEndPointId: failing.Id, TargetJobState: 2 },
      ],
    });
    assert.equal(created.status, 201, created.text);
    const jobId = created.json.Id;
    assert.deepEqual(created.json.JobNotificationSubscriptions, [
      { NotificationEndPointId: all.Id, TargetJobState: 2 },
      { NotificationEndPointId: final.Id, TargetJobState: 1 },
      { NotificationEndPointId: failing.Id, TargetJobState: 2 },
    ]);

    // The failing endpoint has not answered its first message, yet the job finishes.
    const { job } = await c.waitFinal(jobId);
    assert.equal(job.State, JobState.Finished);
    assert.ok(receiver.at('/failing').length >= 1, 'the failing hook was called');
    assert.ok(receiver.unanswered >= 1, 'its first message is still unanswered');

    const transitions = (list: Received[]) =>
      list.map((r) => {
        const m = JSON.parse(r.body.toString()) as Message;
        return `${m.Properties.OldState}→${m.Properties.NewState}`;
      });
    const toAll = await messages('/all', 3);
    assert.deepEqual(transitions(toAll), ['Queued→Scheduled', 'Scheduled→Processing', 'Processing→Finished']);
    const toFinal = await messages('/final', 1);
    assert.deepEqual(transitions(toFinal), ['Processing→Finished']);

    for (const [list, key, endpoint] of [
      [toAll, allKey, all],
      [toFinal, finalKey, final],
    ] as const) {
      for (const r of list) {
        assert.equal(r.headers['ms-signature'], expectedSignature(key, r.body));
        assert.notEqual(
          r.headers['ms-signature'],
          expectedSignature(key === allKey ? finalKey : allKey, r.body),
        );
        assert.match(r.headers['content-type'] ?? '', /^application\/json/);
        const m = JSON.parse(r.body.toString()) as Message;
        assert.equal(m.EventType, 1, 'JobStateChange');
        assert.match(m.MessageVersion, /^1\.\d$/);
        assert.match(m.ETag, /^[0-9a-f]{64}$/);
        assert.ok(Number.isFinite(Date.parse(m.TimeStamp)), m.TimeStamp);
        assert.equal(m.Properties.JobId, jobId);
        assert.equal(m.Properties.JobName, 'hooked job');
        assert.equal(m.Properties.AccountName, 'hookacct');
        assert.equal(m.Properties.NotificationEndPointId, endpoint.Id);
        assert.equal(m.Properties.TaskId, undefined, 'job messages, not task messages');
      }
    }
    assert.equal(new Set(toAll.map((r) => JSON.parse(r.body.toString()).ETag as string)).size, 3);

    // Answered 500, the failing hook is retried; the other hooks got nothing more meanwhile.
    receiver.release();
    for (let i = 0; i < 100 && receiver.at('/failing').length < 2; i++) await sleep(50);
    assert.ok(receiver.at('/failing').length >= 2, 'a 500 is retried');
    assert.equal(receiver.at('/all').length, 3);
    assert.equal(receiver.at('/final').length, 1);
    assert.equal((await c.job(jobId)).State, JobState.Finished);
  });
});
