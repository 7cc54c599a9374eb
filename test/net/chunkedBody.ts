import { request as httpsRequest } from 'node:https';

export interface ChunkedResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Bytes handed to the socket before the answer came. */
  sent: number;
}

/**
 * A request whose chunked body (no Content-Length) never ends: 64 KiB chunks until the server
 * answers, up to `cap` bytes. A server that read the whole body before answering would see the
 * cap reached and the body end; an answer with far less sent proves the body was cut off, since
 * a server that stops reading stops the client's writes too once the socket buffers fill.
 */
export function endlessChunkedBody(
  url: string,
  method: string,
  input: { headers: Record<string, string>; cap?: number; fill?: string },
): Promise<ChunkedResponse> {
  const cap = input.cap ?? 256 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, input.fill ?? ' ');
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers = { ...input.headers, 'transfer-encoding': 'chunked' };
    const request = httpsRequest(url, { method, headers, agent: false }, (response) => {
      answered = true;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (part: string) => (text += part));
      response.on('error', reject);
      response.on('end', () => {
        request.destroy();
        const answer = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') answer.set(name, value);
        }
        resolve({ status: response.statusCode ?? 0, headers: answer, text, sent });
      });
    });
    // Once answered, the server closing on the rest of the body is the expected end.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < cap) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
      if (!answered) request.end();
    };
    pump();
  });
}
