import type { AudioInfo, MediaInfo, VideoInfo } from './probe.js';
import { formatDuration } from './times.js';
import { escapeXml } from './xml.js';

/**
 * The two metadata files every MES output asset held, in the schemas Microsoft documented:
 * `<input asset id>_metadata.xml` describes the input ("Input Metadata", namespace
 * …/2014/07/mediaencoder/inputmetadata) and `<source name>_manifest.xml` the encoded files
 * ("Output Metadata", namespace …/2013/05/mediaencoder/metadata).
 */

const INPUT_NAMESPACE =
  'http://schemas.microsoft.com/windowsazure/mediaservices/2014/07/mediaencoder/inputmetadata';
const OUTPUT_NAMESPACE =
  'http://schemas.microsoft.com/windowsazure/mediaservices/2013/05/mediaencoder/metadata';
const XSI =
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"';

const attributes = (values: Record<string, string | number | undefined>): string =>
  Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');

const kbps = (bitsPerSecond: number): number => Math.round(bitsPerSecond / 1000);
const rate = (fps: number): string => fps.toFixed(3);

const DISPOSITIONS: [string, string][] = [
  ['Default', 'default'],
  ['Dub', 'dub'],
  ['Original', 'original'],
  ['Comment', 'comment'],
  ['Lyrics', 'lyrics'],
  ['Karaoke', 'karaoke'],
  ['Forced', 'forced'],
  ['HearingImpaired', 'hearing_impaired'],
  ['VisualImpaired', 'visual_impaired'],
  ['CleanEffects', 'clean_effects'],
  ['AttachedPic', 'attached_pic'],
];

function trackChildren(track: VideoInfo | AudioInfo, indent: string): string {
  const disposition = Object.fromEntries(
    DISPOSITIONS.map(([name, key]) => [name, track.disposition[key] ?? 0]),
  );
  let out = `${indent}<Disposition${attributes(disposition)} />\n`;
  for (const [key, value] of Object.entries(track.tags))
    out += `${indent}<Metadata${attributes({ key, value })} />\n`;
  return out;
}

/** `<input asset id>_metadata.xml`: the input file as probed. */
export function inputMetadataXml(fileName: string, info: MediaInfo): string {
  const file = attributes({
    Name: fileName,
    Size: info.size,
    Duration: formatDuration(info.durationMs),
    NumberOfStreams: info.streamCount,
    FormatNames: info.formatName,
    FormatVerboseName: info.formatLongName,
    StartTime: formatDuration(info.startMs),
    OverallBitRate: kbps(info.bitrate),
  });
  let out = `<?xml version="1.0" encoding="utf-8"?>\n<AssetFiles ${XSI} xmlns="${INPUT_NAMESPACE}">\n`;
  out += `  <AssetFile${file}>\n`;
  if (info.videoStreams.length > 0) {
    out += '    <VideoTracks>\n';
    for (const v of info.videoStreams) {
      out += `      <VideoTrack${attributes({
        Id: v.index,
        Codec: v.codec,
        CodecLongName: v.codecLongName,
        TimeBase: v.timeBase,
        NumberOfFrames: v.frames,
        StartTime: formatDuration(v.startMs),
        Duration: v.durationMs !== undefined ? formatDuration(v.durationMs) : undefined,
        FourCC: v.fourCC,
        Profile: v.profile,
        Level: v.level,
        PixelFormat: v.pixelFormat,
        Width: v.width,
        Height: v.height,
        DisplayAspectRatioNumerator: v.displayAspectRatio[0],
        DisplayAspectRatioDenominator: v.displayAspectRatio[1],
        SampleAspectRatioNumerator: v.sampleAspectRatio[0],
        SampleAspectRatioDenominator: v.sampleAspectRatio[1],
        FrameRate: rate(v.frameRate),
        Bitrate: kbps(v.bitrate),
        HasBFrames: v.hasBFrames,
      })}>\n`;
      out += trackChildren(v, '        ');
      out += '      </VideoTrack>\n';
    }
    out += '    </VideoTracks>\n';
  }
  if (info.audioStreams.length > 0) {
    out += '    <AudioTracks>\n';
    for (const a of info.audioStreams) {
      out += `      <AudioTrack${attributes({
        Id: a.index,
        Codec: a.codec,
        CodecLongName: a.codecLongName,
        TimeBase: a.timeBase,
        NumberOfFrames: a.frames,
        StartTime: formatDuration(a.startMs),
        Duration: a.durationMs !== undefined ? formatDuration(a.durationMs) : undefined,
        SampleFormat: a.sampleFormat,
        ChannelLayout: a.channelLayout,
        Channels: a.channels,
        SamplingRate: a.sampleRate,
        Bitrate: kbps(a.bitrate),
        BitsPerSample: a.bitsPerSample,
      })}>\n`;
      out += trackChildren(a, '        ');
      out += '      </AudioTrack>\n';
    }
    out += '    </AudioTracks>\n';
  }
  for (const [key, value] of Object.entries(info.tags))
    out += `    <Metadata${attributes({ key, value })} />\n`;
  out += '  </AssetFile>\n</AssetFiles>\n';
  return out;
}

/** One encoded file, as the output manifest describes it. Target bitrates are kbps. */
export interface EncodedFileMetadata {
  name: string;
  size: number;
  info: MediaInfo;
  targetVideoBitrate?: number;
  targetFrameRate?: number;
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

const AAC_PROFILES: Record<string, string> = { LC: 'AacLc', 'HE-AAC': 'HeAacV1', 'HE-AACv2': 'HeAacV2' };

/** `<source name>_manifest.xml`: every encoded MP4, its tracks, and the source it came from. */
export function outputManifestXml(sourceName: string, files: readonly EncodedFileMetadata[]): string {
  let out = `<?xml version="1.0" encoding="utf-8"?>\n<AssetFiles ${XSI} xmlns="${OUTPUT_NAMESPACE}">\n`;
  for (const file of files) {
    out += `  <AssetFile${attributes({ Name: file.name, Size: file.size, Duration: formatDuration(file.info.durationMs) })}>\n`;
    out += `    <Sources>\n      <Source${attributes({ Name: sourceName })} />\n    </Sources>\n`;
    if (file.info.videoStreams.length > 0) {
      out += '    <VideoTracks>\n';
      file.info.videoStreams.forEach((v, id) => {
        const divisor = gcd(v.displayWidth, v.displayHeight) || 1;
        out += `      <VideoTrack${attributes({
          Id: id,
          FourCC: v.fourCC.toUpperCase(),
          Profile: v.profile,
          Level: v.level,
          Width: v.width,
          Height: v.height,
          DisplayAspectRatioNumerator: v.displayWidth / divisor,
          DisplayAspectRatioDenominator: v.displayHeight / divisor,
          Framerate: rate(v.frameRate),
          TargetFramerate: rate(file.targetFrameRate ?? v.frameRate),
          Bitrate: kbps(v.bitrate),
          TargetBitrate: file.targetVideoBitrate ?? kbps(v.bitrate),
        })} />\n`;
      });
      out += '    </VideoTracks>\n';
    }
    if (file.info.audioStreams.length > 0) {
      out += '    <AudioTracks>\n';
      file.info.audioStreams.forEach((a, id) => {
        out += `      <AudioTrack${attributes({
          Id: id,
          Codec: a.codec === 'aac' ? (AAC_PROFILES[a.profile ?? 'LC'] ?? 'AacLc') : a.codec,
          Channels: a.channels,
          SamplingRate: a.sampleRate,
          Bitrate: kbps(a.bitrate),
          BitsPerSample: a.bitsPerSample || 16,
        })} />\n`;
      });
      out += '    </AudioTracks>\n';
    }
    out += '  </AssetFile>\n';
  }
  out += '</AssetFiles>\n';
  return out;
}
