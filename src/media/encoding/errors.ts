/**
 * Why an encoding task failed, in the shape a Task's `ErrorDetails` carries (`{Code, Message}`).
 * The codes are the ones Media Encoder Standard documented ("Encoding error codes"); the message
 * says what was wrong in words a customer can act on.
 */
export const encodingErrorCodes = {
  /** The configuration is not a system preset name, or not valid JSON/XML, or asks for something impossible. */
  parsingConfiguration: 'ErrorParsingConfiguration',
  /** The input asset cannot be read at all: no media file, an empty file, a file that is not media. */
  inputMalformed: 'ErrorDownloadingInputAssetMalformedContent',
  /** The input is media, but not what the preset needs (no video for thumbnails, no audio for an audio preset). */
  unsupportedFormat: 'ErrorExecutingTaskUnsupportedFormat',
  /** The input broke while it was being decoded. */
  malformedContent: 'ErrorExecutingTaskMalformedContent',
  /** Anything else that went wrong in the encoder (spawn failure, a full disk). */
  processing: 'ErrorProcessingTask',
} as const;

export type EncodingErrorCode = (typeof encodingErrorCodes)[keyof typeof encodingErrorCodes];

export class EncodingError extends Error {
  override readonly name = 'EncodingError';
  constructor(
    readonly code: EncodingErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** One entry of a Task's `ErrorDetails` collection. */
  toErrorDetail(): { Code: string; Message: string } {
    return { Code: this.code, Message: this.message };
  }
}

/** What `encode` rejects with when its signal fires: the DOM AbortError every Node API uses. */
export function abortError(signal: AbortSignal): DOMException {
  const error = new DOMException('The encoding task was canceled.', 'AbortError');
  if (signal.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason });
  return error;
}

export const isAbortError = (error: unknown): boolean =>
  error instanceof Error && error.name === 'AbortError';
