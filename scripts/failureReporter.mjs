// A second test reporter beside the runner's own TAP: one JSON line per failed test, so that
// scripts/test.mjs can repeat every failure at the very end of its output, where a log cut to its
// last lines (a CI summary) still shows which test failed and why, not only the last file's TAP.
// Suites that failed only because a test inside them did are left out: the test is the news.
export default async function* failureReporter(source) {
  // The names of the suites open in each file, to give a test its whole path; by file, because
  // two files run at once.
  const open = new Map();
  for await (const event of source) {
    if (event.type === 'test:start') {
      const names = open.get(event.data.file) ?? [];
      names[event.data.nesting] = event.data.name;
      names.length = event.data.nesting + 1;
      open.set(event.data.file, names);
    }
    if (event.type !== 'test:fail') continue;
    const { name, nesting, file, details } = event.data;
    const error = details?.error;
    if (error?.failureType === 'subtestsFailed') continue;
    const path = [...(open.get(file) ?? []).slice(0, nesting), name];
    yield `${JSON.stringify({ file, path, message: describe(error?.cause ?? error) })}\n`;
  }
}

/** The error's stack without the runtime's own frames, then its causes', a few lines each. */
function describe(error, depth = 0) {
  if (!(error instanceof Object)) return String(error ?? 'failed');
  const lines = String(error.stack ?? error.message ?? error)
    .split('\n')
    .filter((line) => !/\(node:|at node:|node_modules\/tsx\//.test(line))
    .slice(0, 10);
  const cause = depth < 3 && error.cause !== undefined ? [`cause: ${describe(error.cause, depth + 1)}`] : [];
  return [...lines, ...cause].join('\n');
}
