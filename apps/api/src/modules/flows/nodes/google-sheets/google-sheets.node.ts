import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ZGoogleSheetsNodeData } from '@orbitdesk/shared';
import { z } from 'zod';
import { SafeHttpClient } from '../../../../common/http-client/safe-http-client.js';
import { FlowNodeRegistry } from '../../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../../engine/node-handler.js';
import { renderTemplate } from '../template.js';
import { fail, parseNodeData } from '../util/node-data.js';
import { GoogleAccessTokens, GoogleAuthError } from './google-access-tokens.js';
import { SheetsCredentialsProvider, type GoogleSheetsCredentials } from './sheets-credentials.provider.js';

export const DEFAULT_SHEETS_API = 'https://sheets.googleapis.com';
const TIMEOUT_MS = 15_000;

/**
 * packages/shared ZGoogleSheetsNodeData: `sheet` is the tab's name (or an A1 range such as `Orders!A:D`); the row
 * goes after the last row of the table found there. The id is checked here because it becomes part of a URL.
 */
export const ZGoogleSheetsData = ZGoogleSheetsNodeData.extend({
  /** The id in the sheet's URL: docs.google.com/spreadsheets/d/<id>/edit. */
  spreadsheetId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{10,200}$/, 'is not a spreadsheet id'),
});
export type GoogleSheetsData = z.infer<typeof ZGoogleSheetsData>;

const ZServiceAccountKey = z.object({
  client_email: z.email(),
  private_key: z.string().min(1),
  token_uri: z.url({ protocol: /^https?$/ }),
});

const FORMULA_START = /^[=+\-@]/;

/**
 * Cells are sent with USER_ENTERED, so the sheet parses them as if typed: a formula the flow's author wrote
 * (`=SUM(A:A)`) works, but a contact's text that starts like one (`=IMPORTXML(...)`) must stay text, so a value
 * that only became formula-like through substitution gets Sheets' text prefix, an apostrophe.
 */
function cell(template: string, ctx: FlowRunContext): string {
  const value = renderTemplate(template, ctx);
  return FORMULA_START.test(value) && !FORMULA_START.test(template) ? `'${value}` : value;
}

function googleError(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; status?: unknown } };
    return [body.error?.status, body.error?.message].filter((x) => typeof x === 'string').join(': ');
  } catch {
    return '';
  }
}

/** Google Sheets: appends one row (values.append) with the workspace's service account. */
@Injectable()
export class GoogleSheetsNode implements NodeHandler, OnModuleInit {
  readonly type = 'google_sheets';

  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly credentials: SheetsCredentialsProvider,
    private readonly tokens: GoogleAccessTokens,
    private readonly http: SafeHttpClient,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZGoogleSheetsData, node);
    if (!parsed.ok) return parsed.result;
    const { spreadsheetId, sheet: range } = parsed.data;
    const credentials = await this.credentials.credentialsFor(ctx.tenantId);
    if (!credentials) return fail(node, 'Google Sheets is not connected: install the google-sheets plugin');
    const key = ZServiceAccountKey.safeParse(credentials.serviceAccount);
    if (!key.success) {
      const fields = key.error.issues.map((i) => i.path.join('.')).join(', ');
      return fail(node, `the Google service account key is incomplete or invalid (${fields})`);
    }
    const values = parsed.data.values.map((v) => cell(v, ctx));
    const row = { spreadsheetId, range, values };
    if (ctx.testMode) return { kind: 'next', output: { testMode: true, wouldAppend: row } };

    let token: string;
    try {
      token = await this.tokens.token(key.data);
    } catch (err) {
      if (err instanceof GoogleAuthError) return fail(node, err.message);
      throw err;
    }
    return this.append(node, credentials, token, row);
  }

  private async append(
    node: FlowNode,
    credentials: GoogleSheetsCredentials,
    token: string,
    row: { spreadsheetId: string; range: string; values: string[] },
  ): Promise<NodeResult> {
    const base = (credentials.apiBaseUrl ?? DEFAULT_SHEETS_API).replace(/\/+$/, '');
    const url =
      `${base}/v4/spreadsheets/${encodeURIComponent(row.spreadsheetId)}/values/${encodeURIComponent(row.range)}` +
      ':append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS';
    let res;
    try {
      res = await this.http.request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ majorDimension: 'ROWS', values: [row.values] }),
        timeoutMs: TIMEOUT_MS,
        maxRedirects: 0,
      });
    } catch (err) {
      return fail(node, `could not reach Google Sheets: ${(err as Error).message}`);
    }
    if (res.status !== 200) {
      const why = googleError(res.text());
      return fail(node, `Google Sheets refused the row (HTTP ${res.status}${why ? `, ${why}` : ''})`);
    }
    const answer = JSON.parse(res.text()) as { updates?: { updatedRange?: string; updatedRows?: number } };
    return {
      kind: 'next',
      output: {
        ...row,
        updatedRange: answer.updates?.updatedRange,
        updatedRows: answer.updates?.updatedRows,
      },
    };
  }
}
