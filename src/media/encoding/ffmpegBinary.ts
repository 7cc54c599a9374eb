import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The encoder the server runs, and where it came from (printed at start-up). */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** `PATH`, or the npm package that carries the binaries. */
  source: 'PATH' | 'npm';
  /** The first line of `ffmpeg -version`. */
  version: string;
}

function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The binaries npm installed beside Tessera (a platform package the installer picked), if any. */
function fromNpm(): { ffmpeg: string; ffprobe: string } | undefined {
  const require = createRequire(import.meta.url);
  try {
    const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const ffprobe = (require('@ffprobe-installer/ffprobe') as { path: string }).path;
    return { ffmpeg, ffprobe };
  } catch {
    // Unsupported platform, or installed with --omit=optional.
    return undefined;
  }
}

let located: Promise<FfmpegTools> | undefined;

/**
 * ffmpeg and ffprobe: the machine's own when both are on the PATH (a distribution build is
 * newer and patched), else the ones shipped in npm packages, so that `npm ci` alone gives a
 * server that encodes. `TESSERA_FFMPEG` / `TESSERA_FFPROBE` name others explicitly.
 */
export function locateFfmpeg(): Promise<FfmpegTools> {
  located ??= locate().catch((error: unknown) => {
    located = undefined;
    throw error;
  });
  return located;
}

async function locate(): Promise<FfmpegTools> {
  const explicitFfmpeg = process.env.TESSERA_FFMPEG;
  const explicitFfprobe = process.env.TESSERA_FFPROBE;
  let tools: Omit<FfmpegTools, 'version'> | undefined;
  if (explicitFfmpeg && explicitFfprobe) {
    tools = { ffmpeg: explicitFfmpeg, ffprobe: explicitFfprobe, source: 'PATH' };
  } else {
    const ffmpeg = onPath('ffmpeg');
    const ffprobe = onPath('ffprobe');
    if (ffmpeg && ffprobe) tools = { ffmpeg, ffprobe, source: 'PATH' };
    else {
      const npm = fromNpm();
      if (npm) tools = { ...npm, source: 'npm' };
    }
  }
  if (!tools) {
    throw new Error(
      'ffmpeg was not found: install it (apt-get install ffmpeg) or keep the optional npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe',
    );
  }
  const { stdout } = await run(tools.ffmpeg, ['-hide_banner', '-version'], { timeout: 10_000 });
  return { ...tools, version: stdout.split('\n')[0]?.trim() ?? 'ffmpeg' };
}
