import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { MediaAccount } from '../../src/media/accounts.js';
import { MediaError } from '../../src/media/errors.js';
import { WebhookNotifier, webhookMessages } from '../../src/media/jobs/notifications.js';
import type { JobEvent, WebhookLogEntry } from '../../src/media/jobs/notifications.js';
import type { EntityRecord } from '../../src/media/odata/edm.js';
import { complexTypes, entityTypeOf } from '../../src/media/odata/model.js';
import { parseQueryOptions } from '../../src/media/odata/queryOptions.js';
import { serializeCollection, serializeEntity } from '../../src/media/odata/serialize/index.js';
import { AccountState } from '../../src/media/persistence/accountView.js';

// ------------------------------------------------------------------ a webhook receiver

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Answers each path with the next status of its script (the last one repeats); 200 by default. */
class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server!: Server;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        const script = this.scripts.get(path) ?? [];
        const status = (script.length > 1 ? script.shift() : script[0]) ?? 200;
        res.writeHead(status).end(status >= 400 ? 'no' : '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(path: string, statuses: number[]): void {
    this.scripts.set(path, [...statuses]);
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ------------------------------------------------------------------ fixture

const account: MediaAccount = {
  name: 'notifyacct',
  scope: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Media/mediaservices/notifyacct',
  tenantId: randomUUID(),
  mediaServiceId: randomUUID(),
  location: 'westus',
  storageKey: randomBytes(32),
  port: null,
};

const receiver = new Receiver();
before(() => receiver.start());
after(() => receiver.stop());

function endpoint(state: AccountState, path: string, signingKey?: Buffer, type = 3): string {
  const id = `nb:nepid:UUID:${randomUUID()}`;
  state.put('NotificationEndPoints', id, {
    Id: id,
    Name: path,
    Created: 0,
    EndPointAddress: type === 3 ? `${receiver.origin}${path}` : path,
    EndPointType: type,
    CredentialType: signingKey ? 1 : 0,
    EncryptedEndPointCredential: signingKey ? 'wrapped' : null,
    ProtectionKeyType: 0,
    ProtectionKeyId: null,
    ...(signingKey ? { _signingKey: signingKey.toString('base64') } : {}),
  });
  return id;
}

function job(subscriptions: Array<[string, number]>): EntityRecord {
  return {
    Id: `nb:jid:UUID:${randomUUID()}`,
    Name: 'MES Job',
    State: 0,
    JobNotificationSubscriptions: subscriptions.map(([id, target]) => ({
      NotificationEndPointId: id,
      TargetJobState: target,
    })),
  };
}

const event = (j: EntityRecord, oldState: number, newState: number, task?: EntityRecord): JobEvent => ({
  account,
  job: j,
  ...(task ? { task } : {}),
  oldState,
  newState,
});

/** What the webhook samples do: `sha256=` + upper-case hex HMAC-SHA256 of the raw body. */
const sampleSignature = (key: Buffer, body: Buffer) =>
  `sha256=${createHmac('sha256', key).update(body).digest('hex').toUpperCase()}`;

function collectingLog() {
  const entries: WebhookLogEntry[] = [];
  return { entries, log: (e: unknown) => entries.push(e as WebhookLogEntry) };
}

interface Message {
  MessageVersion: string;
  ETag: string;
  EventType: number;
  TimeStamp: string;
  Properties: Record<string, string>;
}
const parse = (r: Received) => JSON.parse(r.body.toString('utf8')) as Message;

// ------------------------------------------------------------------ tests

describe('webhook notifications', () => {
  it('posts a JobStateChange signed with the endpoint key', async () => {
    const state = new AccountState(account.name);
    const key = randomBytes(64);
    const hook = endpoint(state, '/signed', key);
    const j = job([[hook, 2]]);
    const notifier = new WebhookNotifier({ backoffMs: 1 });
    notifier.publish(state, event(j, 2, 3));
    await notifier.drain();
    const [request] = receiver.at('/signed');
    assert.ok(request);
    assert.equal(request.headers['ms-signature'], sampleSignature(key, request.body));
    assert.equal(request.headers['ms-mediaservices-accountid'], account.mediaServiceId);
    assert.match(String(request.headers['content-type']), /^application\/json/);
    const message = parse(request);
    assert.equal(message.MessageVersion, '1.1');
    assert.equal(message.EventType, 1);
    assert.match(message.ETag, /^[0-9a-f]{64}$/);
    assert.match(message.TimeStamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    assert.deepEqual(message.Properties, {
      JobId: j.Id,
      JobName: 'MES Job',
      NewState: 'Finished',
      OldState: 'Processing',
      AccountName: account.name,
      AccountId: account.mediaServiceId,
      NotificationEndPointId: hook,
    });
    notifier.close();
  });

  it('sends only final states for TargetJobState 1, every state in order for 2', async () => {
    const state = new AccountState(account.name);
    const finalOnly = endpoint(state, '/final');
    const all = endpoint(state, '/all');
    const j = job([
      [finalOnly, 1],
      [all, 2],
    ]);
    const notifier = new WebhookNotifier({ backoffMs: 1 });
    for (const [from, to] of [
      [0, 1],
      [1, 2],
      [2, 3],
    ] as const) {
      notifier.publish(state, event(j, from, to));
    }
    await notifier.drain();
    assert.deepEqual(
      receiver.at('/final').map((r) => parse(r).Properties.NewState),
      ['Finished'],
    );
    assert.deepEqual(
      receiver.at('/all').map((r) => parse(r).Properties.NewState),
      ['Scheduled', 'Processing', 'Finished'],
    );
    assert.equal(receiver.at('/all')[0]?.headers['ms-signature'], undefined, 'no credential, no signature');
    notifier.close();
  });

  it("sends a task's changes to its task subscriptions as TaskStateChange", async () => {
    const state = new AccountState(account.name);
    const jobHook = endpoint(state, '/job-level');
    const taskHook = endpoint(state, '/task-level', randomBytes(32));
    const queue = endpoint(state, 'a-queue', undefined, 1);
    const j = job([[jobHook, 2]]);
    const task: EntityRecord = {
      Id: `nb:tid:UUID:${randomUUID()}`,
      Name: 'encode',
      TaskNotificationSubscriptions: [
        { IncludeTaskProgress: false, NotificationEndPointId: taskHook, TargetTaskState: 2 },
        { IncludeTaskProgress: false, NotificationEndPointId: queue, TargetTaskState: 2 },
      ],
    };
    const notifier = new WebhookNotifier({ backoffMs: 1 });
    notifier.publish(state, event(j, 1, 2, task));
    await notifier.drain();
    assert.equal(receiver.at('/job-level').length, 0);
    const [request] = receiver.at('/task-level');
    assert.ok(request);
    const message = parse(request);
    assert.equal(message.EventType, 4);
    assert.equal(message.Properties.TaskId, task.Id);
    assert.equal(message.Properties.TaskName, 'encode');
    assert.equal(message.Properties.NewState, 'Processing');
    assert.equal(message.Properties.OldState, 'Scheduled');
    // The queue endpoint gets nothing: there is no queue service to deliver to.
    assert.equal(webhookMessages(state, event(j, 1, 2, task), 0).length, 1);
    notifier.close();
  });

  it('retries a failing endpoint (500, 500, 200) and succeeds', async () => {
    const state = new AccountState(account.name);
    receiver.script('/flaky', [500, 500, 200]);
    const hook = endpoint(state, '/flaky');
    const { entries, log } = collectingLog();
    const notifier = new WebhookNotifier({ backoffMs: 1, retries: 2, log });
    notifier.publish(state, event(job([[hook, 2]]), 2, 4));
    await notifier.drain();
    const requests = receiver.at('/flaky');
    assert.equal(requests.length, 3);
    assert.equal(new Set(requests.map((r) => r.body.toString())).size, 1, 'the same message each time');
    assert.deepEqual(entries, []);
    notifier.close();
  });

  it('gives up on a 4xx at once and on an unreachable endpoint after its retries, without throwing', async () => {
    const state = new AccountState(account.name);
    receiver.script('/refuses', [400]);
    const refuses = endpoint(state, '/refuses');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = `nb:nepid:UUID:${randomUUID()}`;
    state.put('NotificationEndPoints', dead, {
      Id: dead,
      EndPointAddress: `http://127.0.0.1:${deadPort}/gone`,
      EndPointType: 3,
    });
    const { entries, log } = collectingLog();
    const notifier = new WebhookNotifier({ backoffMs: 1, retries: 2, log });
    assert.doesNotThrow(() =>
      notifier.publish(
        state,
        event(
          job([
            [refuses, 2],
            [dead, 2],
          ]),
          2,
          3,
        ),
      ),
    );
    await notifier.drain();
    assert.equal(receiver.at('/refuses').length, 1);
    const refused = entries.find((e) => e.endpointId === refuses);
    assert.equal(refused?.status, 400);
    assert.equal(refused?.attempts, 1);
    const unreachable = entries.find((e) => e.endpointId === dead);
    assert.equal(unreachable?.msg, 'webhook message given up');
    assert.equal(unreachable?.attempts, 3);
    assert.ok(unreachable?.err, 'the network error is logged');
    notifier.close();
  });

  it('returns from publish before anything is sent, and never throws', async () => {
    const state = new AccountState(account.name);
    const hook = endpoint(state, '/slow');
    let calls = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slowFetch = (async () => {
      calls++;
      await released;
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    const notifier = new WebhookNotifier({ fetch: slowFetch, backoffMs: 1 });
    const result: unknown = notifier.publish(state, event(job([[hook, 2]]), 0, 1));
    assert.equal(result, undefined);
    assert.equal(calls, 0, 'nothing sent during publish');
    const broken = {
      ...state,
      get: () => {
        throw new Error('broken view');
      },
    } as unknown as AccountState;
    const { entries, log } = collectingLog();
    const logged = new WebhookNotifier({ log });
    assert.doesNotThrow(() => logged.publish(broken, event(job([[hook, 2]]), 0, 1)));
    assert.equal(entries.length, 1);
    release();
    await notifier.drain();
    assert.equal(calls, 1);
    notifier.close();
    logged.close();
  });

  it('drops the oldest waiting message beyond maxQueued, keeping the rest in order', async () => {
    const state = new AccountState(account.name);
    const hook = endpoint(state, '/bounded');
    const { entries, log } = collectingLog();
    const notifier = new WebhookNotifier({ backoffMs: 1, maxQueued: 2, log });
    const j = job([[hook, 2]]);
    for (const [from, to] of [
      [0, 1],
      [1, 2],
      [2, 6],
      [6, 5],
    ] as const) {
      notifier.publish(state, event(j, from, to));
    }
    await notifier.drain();
    assert.deepEqual(
      receiver.at('/bounded').map((r) => parse(r).Properties.NewState),
      ['Canceling', 'Canceled'],
    );
    assert.equal(entries.filter((e) => /dropped/.test(e.msg)).length, 2);
    notifier.close();
  });

  it('stops on close: what waits is dropped, what is in flight is aborted', async () => {
    const state = new AccountState(account.name);
    const hook = endpoint(state, '/closing');
    let aborted = false;
    const hangingFetch = ((_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      })) as unknown as typeof fetch;
    const { entries, log } = collectingLog();
    const notifier = new WebhookNotifier({ fetch: hangingFetch, log });
    const j = job([[hook, 2]]);
    notifier.publish(state, event(j, 0, 1));
    notifier.publish(state, event(j, 1, 2));
    await new Promise((resolve) => setImmediate(resolve));
    notifier.close();
    await notifier.drain();
    assert.ok(aborted);
    assert.deepEqual(entries, [], 'closing is not a failure');
    notifier.publish(state, event(j, 2, 3));
    await notifier.drain();
  });
});

describe('hidden fields', () => {
  const record: EntityRecord = {
    Id: 'nb:nepid:UUID:0f3c6f0e-2b5a-4f57-9a0e-6a1f61b0c1d2',
    Name: 'hook',
    Created: Date.UTC(2026, 0, 1),
    EndPointAddress: 'https://example.test/hook',
    EndPointType: 3,
    CredentialType: 1,
    EncryptedEndPointCredential: 'd3JhcHBlZA==',
    ProtectionKeyId: 'AB'.repeat(20),
    ProtectionKeyType: 0,
    _signingKey: 'U0VDUkVULVNJR05JTkctS0VZ',
  };
  const type = entityTypeOf('NotificationEndPoints');
  const ctx = {
    apiRoot: 'https://localhost:8443/media/acct/api/',
    dataServiceVersion: '3.0' as const,
    now: 0,
  };

  it('never reach a response, in any dialect', () => {
    for (const format of ['minimal', 'verbose', 'atom'] as const) {
      for (const text of [
        serializeEntity(format, type, record, ctx),
        serializeCollection(format, type, [record], ctx),
        serializeEntity(format, type, record, ctx, ['*']),
      ]) {
        assert.ok(text.includes('EncryptedEndPointCredential'), `${format} wrote the entity`);
        assert.ok(!text.includes('_signingKey'), `${format} leaked the name`);
        assert.ok(!text.includes(String(record._signingKey)), `${format} leaked the value`);
      }
    }
  });

  it('cannot be filtered, ordered or selected on', () => {
    for (const text of ["$filter=_signingKey eq 'x'", '$orderby=_signingKey', '$select=_signingKey']) {
      assert.throws(
        () => parseQueryOptions(new URLSearchParams(text), type, complexTypes),
        (e: unknown) => e instanceof MediaError && e.status === 400,
        text,
      );
    }
  });
});
