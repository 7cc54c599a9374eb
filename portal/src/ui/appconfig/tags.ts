/** Tags as people type them: one `name=value` per line (a value may hold more `=`). */
export function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`Tags, line ${index + 1}: write each tag as name=value.`);
    tags[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
  }
  return tags;
}

export const tagsText = (tags: Record<string, string | null>): string =>
  Object.entries(tags)
    .map(([name, value]) => `${name}=${value ?? ''}`)
    .join('\n');
