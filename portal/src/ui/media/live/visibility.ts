import { useEffect, useState } from 'preact/hooks';

/**
 * Whether the page is shown. Polling stops while it is hidden (another browser tab, a minimised
 * window): nobody watches the states then, and the server need not answer for them.
 */
export function useVisible(): boolean {
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/** Waits `ms`, then for as long as the page stays hidden. */
export async function visibleDelay(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  if (document.visibilityState === 'visible') return;
  await new Promise<void>((resolve) => {
    const shown = () => {
      if (document.visibilityState !== 'visible') return;
      document.removeEventListener('visibilitychange', shown);
      resolve();
    };
    document.addEventListener('visibilitychange', shown);
  });
}
