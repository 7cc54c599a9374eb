import type { RuleContext, RuleServices } from '../entities/rules.js';
import { PATH_MODEL } from './pathModel.js';
import { parseBindUrl } from '../odata/bindUrl.js';
import type { AccountWriter } from '../persistence/mediaEntities.js';
import type { ApiSession } from './types.js';

type Task = () => void | Promise<void>;

/** One transaction's rule context, with the work queued to run before and after it commits. */
export class UnitOfWork {
  readonly ctx: RuleContext;
  private readonly before: Task[] = [];
  private readonly after: Task[] = [];

  constructor(session: ApiSession, writer: AccountWriter, services: RuleServices, inChangeSet: boolean) {
    this.ctx = {
      writer,
      account: session.account,
      urls: session.urls,
      now: Date.now(),
      inChangeSet,
      beforeCommit: (task) => this.before.push(task),
      afterCommit: (task) => this.after.push(task),
      bind: (url) => parseBindUrl(url, PATH_MODEL.sets),
      services,
    };
  }

  /** Completes what the parts left open (a change set's job); a throw aborts the unit. */
  async complete(): Promise<void> {
    while (this.before.length > 0) await this.before.shift()?.();
  }

  /** After the commit: nothing here can undo it, so failures are reported, not thrown. */
  async committed(report: (error: unknown) => void): Promise<void> {
    for (const task of this.after) {
      try {
        await task();
      } catch (error) {
        report(error);
      }
    }
  }
}
