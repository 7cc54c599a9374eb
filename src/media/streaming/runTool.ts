import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/** Packaging copies streams (`-c copy`): minutes would mean a hung process, not a long title. */
const TIMEOUT_MS = 15 * 60 * 1000;

/** An ffmpeg/ffprobe run that failed; `detail` is the end of its stderr, for the server log. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

/** Runs ffmpeg or ffprobe without a shell; stdout on success. */
export function runTool(binary: string, args: readonly string[], cwd?: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      binary,
      args,
      { cwd, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const detail = String(stderr).trim().split('\n').slice(-8).join('\n');
          fail(new ToolError(`${binary} failed: ${error.message.split('\n')[0] ?? ''}`, detail));
        } else {
          done(String(stdout));
        }
      },
    );
  });
}

/**
 * A local path as an ffmpeg input: the `file:` protocol, so a name with a colon (`nb:cid:…`) or
 * a leading dash is never read as another protocol or an option.
 */
export const ffmpegInput = (path: string): string => `file:${resolve(path)}`;
