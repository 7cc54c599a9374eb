import { createHash, createHmac } from 'node:crypto';
import { EndPointType } from '../entities/notificationEndPoints.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import type { JobStateChange as JobEvent } from './events.js';
import { isFinal } from './states.js';

export type { JobStateChange as JobEvent } from './events.js';

/**
 * NotificationEventType as the service numbered it. Webhook bodies carry the number
 * (`"EventType": 4` in the captured TaskStateChange message of the webhook article); the samples
 * read it into an enum, which takes the number or the name.
 */
export const NotificationEventType = { JobStateChange: 1, TaskStateChange: 4 } as const;

/** NotificationJobState, for TargetJobState and TargetTaskState alike. */
const Target = { None: 0, FinalStatesOnly: 1, All: 2 } as const;

/** JobState / TaskState names, as the messages spell states (`"NewState": "Finished"`). */
const STATE_NAMES = ['Queued', 'Scheduled', 'Processing', 'Finished', 'Error', 'Canceled', 'Canceling'];
const stateName = (state: number): string => STATE_NAMES[state] ?? String(state);

/** One message for one endpoint, ready to send: the same bytes on every attempt. */
export interface WebhookMessage {
  endpointId: string;
  address: string;
  eventType: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * The `ms-signature` header: `sha256=` and the upper-case hex HMAC-SHA256 of the body bytes under
 * the endpoint's signing key, which is what the webhook samples' `VerifyWebHookRequestSignature`
 * recomputes and compares ordinally.
 */
export const webhookSignature = (signingKey: Buffer, body: string | Buffer): string =>
  `sha256=${createHmac('sha256', signingKey).update(body).digest('hex').toUpperCase()}`;

/** .NET's round-trip form, seven fraction digits: `2017-02-16T03:59:53.3040000Z`. */
const timestamp = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}0000Z`;

interface Subscription {
  endpointId: string;
  target: number;
}

function subscriptionsOf(record: EntityRecord, property: string, targetProperty: string): Subscription[] {
  const list = record[property];
  if (!Array.isArray(list)) return [];
  const byEndpoint = new Map<string, number>();
  for (const item of list as Array<Record<string, unknown>>) {
    const endpointId = item.NotificationEndPointId;
    const target = item[targetProperty];
    if (typeof endpointId !== 'string' || typeof target !== 'number') continue;
    // One endpoint subscribed twice gets one message, under the wider of its targets.
    byEndpoint.set(endpointId, Math.max(byEndpoint.get(endpointId) ?? Target.None, target));
  }
  return [...byEndpoint].map(([endpointId, target]) => ({ endpointId, target }));
}

const wants = (target: number, newState: number): boolean =>
  target === Target.All || (target === Target.FinalStatesOnly && isFinal(newState));

/**
 * The messages one event sends: a job's change to the endpoints of its
 * `JobNotificationSubscriptions`, a task's change to those of its task's
 * `TaskNotificationSubscriptions`, each filtered by its target (1 final states only, 2 all).
 * Only webhook endpoints get one; queue endpoints have no queue service here to deliver to.
 */
export function webhookMessages(view: AccountView, event: JobEvent, now: number): WebhookMessage[] {
  const { account, job, task } = event;
  const subscriptions = task
    ? subscriptionsOf(task, 'TaskNotificationSubscriptions', 'TargetTaskState')
    : subscriptionsOf(job, 'JobNotificationSubscriptions', 'TargetJobState');
  const eventType = task ? NotificationEventType.TaskStateChange : NotificationEventType.JobStateChange;
  const time = timestamp(now);
  const messages: WebhookMessage[] = [];
  for (const { endpointId, target } of subscriptions) {
    if (!wants(target, event.newState)) continue;
    const endpoint = view.get('NotificationEndPoints', endpointId);
    if (!endpoint || endpoint.EndPointType !== EndPointType.WebHook) continue;
    const properties: Record<string, string> = {
      JobId: String(job.Id),
      JobName: String(job.Name ?? ''),
      ...(task ? { TaskId: String(task.Id), TaskName: String(task.Name ?? '') } : {}),
      NewState: stateName(event.newState),
      OldState: stateName(event.oldState),
      AccountName: account.name,
      AccountId: account.mediaServiceId,
      NotificationEndPointId: endpointId,
    };
    // The same event for the same endpoint always has the same ETag: receivers drop duplicates by it.
    const etag = createHash('sha256')
      .update(
        JSON.stringify([
          account.name,
          endpointId,
          properties.JobId,
          properties.TaskId ?? '',
          event.oldState,
          event.newState,
          time,
        ]),
      )
      .digest('hex');
    const body = JSON.stringify({
      MessageVersion: '1.1',
      ETag: etag,
      EventType: eventType,
      TimeStamp: time,
      Properties: properties,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'ms-mediaservices-accountid': account.mediaServiceId,
    };
    if (typeof endpoint._signingKey === 'string') {
      headers['ms-signature'] = webhookSignature(Buffer.from(endpoint._signingKey, 'base64'), body);
    }
    messages.push({ endpointId, address: String(endpoint.EndPointAddress), eventType, body, headers });
  }
  return messages;
}

export interface WebhookNotifierOptions {
  /** The HTTP client; the global fetch by default. */
  fetch?: typeof fetch;
  /** Attempts after the first, for network errors, timeouts, 408, 429 and 5xx. Default 2 (3 in all). */
  retries?: number;
  /** The delay before the first retry; each next one doubles. Default 1000 ms. */
  backoffMs?: number;
  /** Messages waiting, across endpoints; beyond this the oldest waiting one is dropped (and logged). Default 1000. */
  maxQueued?: number;
  /** One attempt's limit. Default 10 s. */
  timeoutMs?: number;
  /** Given a `WebhookLogEntry` for every drop and every message given up on. */
  log?: (entry: unknown) => void;
}

export interface WebhookLogEntry {
  msg: string;
  account?: string;
  endpointId?: string;
  address?: string;
  attempts?: number;
  status?: number;
  err?: unknown;
}

interface Delivery {
  lane: string;
  account: string;
  message: WebhookMessage;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; status?: number; err?: unknown };

const RETRIED_STATUSES = new Set([408, 429]);

/**
 * Sends webhook messages for job and task state changes, away from the caller: `publish` builds
 * the messages and queues them, and returns. Each endpoint has a lane, delivered one message at
 * a time so that an endpoint sees its events in order (a retry holds the lane); lanes run side by
 * side. A POST that fails on the network, times out or answers 408/429/5xx is retried with
 * exponential backoff, then given up and logged; any other answer ends it. Redirects are not
 * followed (a POST turned GET would not be the message). The queue is bounded: past `maxQueued`
 * waiting messages the oldest is dropped, so a dead endpoint cannot grow memory without limit.
 */
export class WebhookNotifier {
  private readonly fetch: typeof fetch;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly log: (entry: unknown) => void;
  private readonly lanes = new Map<string, Delivery[]>();
  /** Every waiting delivery, oldest first (a Set keeps insertion order). */
  private readonly waiting = new Set<Delivery>();
  private readonly busy = new Set<string>();
  private readonly idle: Array<() => void> = [];
  private readonly sleeping = new Set<() => void>();
  private readonly shutdown = new AbortController();
  private closed = false;

  constructor(options: WebhookNotifierOptions = {}) {
    this.fetch = options.fetch ?? fetch;
    this.retries = Math.max(0, options.retries ?? 2);
    this.backoffMs = Math.max(0, options.backoffMs ?? 1000);
    this.maxQueued = Math.max(1, options.maxQueued ?? 1000);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.log = options.log ?? ((entry) => console.warn('media webhooks:', entry));
  }

  /** Called by the job runner after each committed state change: never blocks, never throws. */
  publish(view: AccountView, event: JobEvent): void {
    if (this.closed) return;
    try {
      for (const message of webhookMessages(view, event, Date.now()))
        this.enqueue(event.account.name, message);
    } catch (err) {
      this.report({ msg: 'webhook messages could not be prepared', account: event.account?.name, err });
    }
  }

  /** Resolves when everything queued has been delivered or given up (tests, shutdown). */
  drain(): Promise<void> {
    if (this.busy.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drops what waits, aborts what is in flight, and sends nothing more. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.shutdown.abort();
    this.waiting.clear();
    for (const queue of this.lanes.values()) queue.length = 0;
    for (const wake of this.sleeping) wake();
    if (this.busy.size === 0) this.settle();
  }

  private enqueue(account: string, message: WebhookMessage): void {
    if (this.waiting.size >= this.maxQueued) this.dropOldest();
    const lane = `${account}\u0000${message.endpointId}`;
    const delivery: Delivery = { lane, account, message };
    let queue = this.lanes.get(lane);
    if (!queue) this.lanes.set(lane, (queue = []));
    queue.push(delivery);
    this.waiting.add(delivery);
    if (this.busy.has(lane)) return;
    this.busy.add(lane);
    // Started on a later turn: publish returns before any request is built.
    setImmediate(() => void this.run(lane));
  }

  private dropOldest(): void {
    const oldest = this.waiting.values().next().value;
    if (!oldest) return;
    this.waiting.delete(oldest);
    const queue = this.lanes.get(oldest.lane);
    queue?.splice(queue.indexOf(oldest), 1);
    this.report({
      msg: `webhook queue full (${this.maxQueued} waiting): dropped the oldest message`,
      account: oldest.account,
      endpointId: oldest.message.endpointId,
      address: oldest.message.address,
    });
  }

  private async run(lane: string): Promise<void> {
    try {
      for (;;) {
        const next = this.lanes.get(lane)?.shift();
        if (!next || this.closed) break;
        this.waiting.delete(next);
        await this.deliver(next);
      }
    } catch (err) {
      this.report({ msg: 'webhook delivery failed unexpectedly', err });
    } finally {
      if ((this.lanes.get(lane)?.length ?? 0) === 0) this.lanes.delete(lane);
      this.busy.delete(lane);
      if (this.busy.size === 0) this.settle();
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { message } = delivery;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return;
      const outcome = await this.attempt(message);
      if (outcome.ok || this.closed) return;
      if (!outcome.retry || attempt > this.retries) {
        this.report({
          msg: 'webhook message given up',
          account: delivery.account,
          endpointId: message.endpointId,
          address: message.address,
          attempts: attempt,
          ...(outcome.status !== undefined ? { status: outcome.status } : {}),
          ...(outcome.err !== undefined ? { err: outcome.err } : {}),
        });
        return;
      }
      await this.sleep(this.backoffMs * 2 ** (attempt - 1));
    }
  }

  private async attempt(message: WebhookMessage): Promise<Outcome> {
    try {
      const response = await this.fetch(message.address, {
        method: 'POST',
        headers: message.headers,
        body: message.body,
        redirect: 'manual',
        signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      // The answer's body means nothing here; releasing it frees the connection.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true };
      const retry = response.status >= 500 || RETRIED_STATUSES.has(response.status);
      return { ok: false, retry, status: response.status };
    } catch (err) {
      return { ok: false, retry: true, err };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping.add(wake);
    });
  }

  private settle(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private report(entry: WebhookLogEntry): void {
    try {
      this.log(entry);
    } catch {
      // A failing logger must not stop deliveries.
    }
  }
}
