import type { Agent } from 'node:https';
import { request } from 'node:https';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A CA-verified request, unlike autocannon's own connections: the benches' preflights use it. */
export function verifiedRequest(
  url: URL,
  ca: Buffer,
  init: { method: string; headers?: Record<string, string>; body?: string; agent?: Agent },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method, headers: init.headers, ca, servername: 'localhost', agent: init.agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** GET load over HTTPS keep-alive: `connections` clients, one request in flight each. */
export function loadGet(
  url: string,
  ca: Buffer,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
): Promise<Result> {
  return autocannon({
    url,
    headers,
    connections,
    pipelining: 1,
    duration: seconds,
    // autocannon 9 ignores rejectUnauthorized (see bench/tokens.ts); the preflight verifies the CA.
    tlsOptions: { ca },
    servername: 'localhost',
  });
}

export const failures = (r: Result): number => r.non2xx + r.errors + r.timeouts;

/** A client-credentials token from the child server, over a CA-verified connection. */
export async function clientCredentialsToken(
  server: { origin: string; tenantId: string; clientId: string; secret: string },
  ca: Buffer,
  scope: string,
): Promise<string> {
  const form = new URLSearchParams({
    client_id: server.clientId,
    client_secret: server.secret,
    grant_type: 'client_credentials',
    scope,
  }).toString();
  const answer = await verifiedRequest(new URL(`${server.origin}/${server.tenantId}/oauth2/v2.0/token`), ca, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const token = (JSON.parse(answer.body) as { access_token?: string }).access_token;
  if (!token) throw new Error(`preflight: no token (${answer.status} ${answer.body})`);
  return token;
}
