/**
 * How a bench child server ends: on SIGTERM/SIGINT, or when its stdin closes because the parent
 * died; cleans up once and exits normally so that `--cpu-prof` can write its profile.
 */
export function stopWhenAsked(cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await cleanup();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop()).resume();
}
