/** Wrong user codes one browser may type per window before the page stops looking codes up. */
export const CODE_TRIES_PER_BROWSER = 10;
/** Wrong user codes per client IP: a few people behind one NAT, not a guessing script. */
export const CODE_TRIES_PER_IP = 30;
export const CODE_TRY_WINDOW_SECONDS = 60;

interface Window {
  start: number;
  used: number;
}

/**
 * Limits guessing of device user codes (8 letters from 20, about 2^34.6, live 15 minutes) at
 * `/devicelogin`. A try is taken before the code is looked up and given back when the code was
 * right, so parallel guesses cannot all pass the check before any is counted. Kept in memory:
 * each node limits what reaches it, and a restart forgets (the codes a guesser could reach in a
 * window stay negligible either way).
 */
export class CodeEntryThrottle {
  private readonly browsers = new Map<string, Window>();
  private readonly ips = new Map<string, Window>();
  private lastSweep = 0;

  /** Takes a try for this browser and IP, or answers false when either has none left. */
  take(browserHash: string, ip: string, now: number): boolean {
    this.sweep(now);
    const browser = current(this.browsers, browserHash, now);
    const address = current(this.ips, ip, now);
    if (browser.used >= CODE_TRIES_PER_BROWSER || address.used >= CODE_TRIES_PER_IP) return false;
    browser.used += 1;
    address.used += 1;
    return true;
  }

  /** The code was right: the try does not count against anyone. */
  giveBack(browserHash: string, ip: string): void {
    for (const [windows, key] of [
      [this.browsers, browserHash],
      [this.ips, ip],
    ] as const) {
      const window = windows.get(key);
      if (window && window.used > 0) window.used -= 1;
    }
  }

  /** Forgets finished windows now and then, so the maps stay as small as the traffic of a minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < CODE_TRY_WINDOW_SECONDS) return;
    this.lastSweep = now;
    for (const windows of [this.browsers, this.ips])
      for (const [key, window] of windows)
        if (now - window.start >= CODE_TRY_WINDOW_SECONDS) windows.delete(key);
  }
}

function current(windows: Map<string, Window>, key: string, now: number): Window {
  let window = windows.get(key);
  if (!window || now - window.start >= CODE_TRY_WINDOW_SECONDS) {
    window = { start: now, used: 0 };
    windows.set(key, window);
  }
  return window;
}
