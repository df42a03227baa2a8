import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, type CryptoKey } from 'jose';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

export interface AppendedRow {
  spreadsheetId: string;
  range: string;
  query: URLSearchParams;
  body: unknown;
}

/**
 * Loopback Google: the OAuth token endpoint of a service account (oauth2.googleapis.com/token) and the Sheets
 * values.append endpoint. The token endpoint does what Google's does with a JWT bearer grant: checks the grant
 * type, verifies the assertion's RS256 signature with the service account's public key and its claims (iss is
 * the account, aud is the token URI, scope, a lifetime of at most an hour), and answers with an access token.
 * The Sheets endpoint accepts only a token it issued and answers with Google's AppendValuesResponse shape;
 * errors use Google's {error: {code, message, status}} shape.
 */
export async function startFakeGoogle(account: { clientEmail: string; publicKey: CryptoKey }) {
  const state = {
    tokensIssued: [] as string[],
    tokenRequests: 0,
    assertionClaims: [] as Record<string, unknown>[],
    appended: [] as AppendedRow[],
    /** Spreadsheets the account may not edit: append answers 403 PERMISSION_DENIED. */
    forbidden: new Set<string>(),
  };
  let origin = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', origin);
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const googleError = (code: number, status: string, message: string) =>
        json(code, { error: { code, message, status } });

      if (req.method === 'POST' && url.pathname === '/token') {
        state.tokenRequests++;
        const form = new URLSearchParams(raw);
        if (form.get('grant_type') !== JWT_BEARER_GRANT) {
          return json(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
        }
        jwtVerify(form.get('assertion') ?? '', account.publicKey, {
          algorithms: ['RS256'],
          issuer: account.clientEmail,
          audience: `${origin}/token`,
        }).then(
          ({ payload }) => {
            const lifetime = (payload.exp ?? 0) - (payload.iat ?? 0);
            if (payload.scope !== SHEETS_SCOPE || lifetime <= 0 || lifetime > 3600) {
              return json(400, { error: 'invalid_scope', error_description: 'Invalid scope or lifetime' });
            }
            state.assertionClaims.push(payload);
            const token = `ya29.${randomBytes(24).toString('hex')}`;
            state.tokensIssued.push(token);
            json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
          },
          (err: Error) =>
            json(400, { error: 'invalid_grant', error_description: `Invalid JWT: ${err.message}` }),
        );
        return;
      }

      const append = /^\/v4\/spreadsheets\/([^/]+)\/values\/([^/]+):append$/.exec(url.pathname);
      if (req.method === 'POST' && append) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!bearer || !state.tokensIssued.includes(bearer)) {
          return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
        }
        const spreadsheetId = decodeURIComponent(append[1]!);
        const range = decodeURIComponent(append[2]!);
        if (state.forbidden.has(spreadsheetId)) {
          return googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
        }
        const option = url.searchParams.get('valueInputOption');
        if (option !== 'USER_ENTERED' && option !== 'RAW') {
          return googleError(400, 'INVALID_ARGUMENT', "Invalid valueInputOption: ''");
        }
        let body: { values?: unknown[][] };
        try {
          body = JSON.parse(raw) as { values?: unknown[][] };
        } catch {
          return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
        }
        state.appended.push({ spreadsheetId, range, query: url.searchParams, body });
        const rows = body.values?.length ?? 0;
        const cols = Math.max(0, ...(body.values ?? []).map((r) => r.length));
        const row = state.appended.filter((a) => a.spreadsheetId === spreadsheetId).length + 1;
        const sheet = range.split('!')[0];
        return json(200, {
          spreadsheetId,
          tableRange: `${sheet}!A1:Z${row - 1}`,
          updates: {
            spreadsheetId,
            updatedRange: `${sheet}!A${row}:${String.fromCharCode(64 + cols)}${row}`,
            updatedRows: rows,
            updatedColumns: cols,
            updatedCells: rows * cols,
          },
        });
      }
      googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    state,
    origin,
    tokenUri: `${origin}/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
