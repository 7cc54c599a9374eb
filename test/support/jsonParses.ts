/**
 * Runs `work` while counting JSON.parse calls on texts longer than `minLength` on this thread —
 * the server's, in tests that start it in-process: whether a body was parsed at all.
 */
export async function largeParsesDuring<T>(
  minLength: number,
  work: () => Promise<T>,
): Promise<{ result: T; parses: number }> {
  const original = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (typeof text === 'string' && text.length > minLength) parses++;
    return original(text, reviver);
  }) as typeof JSON.parse;
  try {
    return { result: await work(), parses };
  } finally {
    JSON.parse = original;
  }
}
