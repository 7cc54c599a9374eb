/**
 * Accounts woken within one turn of the event loop, handed on together in the next: a unit of work
 * that commits several changes to one account (a `$batch`, a job of many tasks) wakes its worker
 * once.
 */
export class AccountWakes {
  private readonly pending = new Set<string>();
  private scheduled = false;

  constructor(private readonly handle: (account: string) => void) {}

  /** Whether a hand-over is due: work is about to start. */
  get due(): boolean {
    return this.scheduled;
  }

  add(account: string): void {
    this.pending.add(account);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const accounts = [...this.pending];
      this.pending.clear();
      for (const name of accounts) this.handle(name);
    });
  }
}
