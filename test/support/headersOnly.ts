import { request as httpsRequest } from 'node:https';

export interface HeadersOnlyResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A request that announces a body of `contentLength` bytes and never sends it. A server that read
 * the body before answering would never answer (the test times out): getting a response proves
 * the decision was made on method, path and credentials alone.
 */
export function headersOnly(
  url: string,
  method: string,
  input: { authorization?: string; contentLength: number; contentType?: string },
): Promise<HeadersOnlyResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      'content-type': input.contentType ?? 'application/json',
      'content-length': String(input.contentLength),
    };
    if (input.authorization !== undefined) headers.authorization = input.authorization;
    const request = httpsRequest(url, { method, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', reject);
      response.on('end', () => {
        request.destroy();
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') responseHeaders.set(name, value);
        }
        resolve({ status: response.statusCode ?? 0, headers: responseHeaders, text });
      });
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}
