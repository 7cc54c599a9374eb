import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../tls/files.js';

/**
 * What the CLI remembers between runs, per data folder (`<data>/cli.json`), as az keeps its
 * default subscription in its profile: set by `tessera account set`.
 */
export interface CliSettings {
  /** The subscription id commands act in when no `--subscription` is given. */
  defaultSubscription?: string;
}

const settingsPath = (dataDir: string): string => path.join(dataDir, 'cli.json');

export async function readCliSettings(dataDir: string): Promise<CliSettings> {
  let text: string;
  try {
    text = await readFile(settingsPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${settingsPath(dataDir)} is not valid JSON; delete it to start over.`);
  }
  const subscription = (value as { defaultSubscription?: unknown } | null)?.defaultSubscription;
  return typeof subscription === 'string' ? { defaultSubscription: subscription } : {};
}

export async function writeCliSettings(dataDir: string, settings: CliSettings): Promise<void> {
  await writeFileAtomic(settingsPath(dataDir), `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}
