import { Injectable } from '@nestjs/common';

/** The fields of a Google service-account key file (the JSON downloaded from the Cloud console) a token needs. */
export interface GoogleServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri: string;
}

export interface GoogleSheetsCredentials {
  serviceAccount: GoogleServiceAccountKey;
  /** The Sheets API origin; https://sheets.googleapis.com unless a proxy (or a test fake) stands in for it. */
  apiBaseUrl?: string;
}

/**
 * Where a workspace's Google Sheets credentials come from. The google-sheets plugin that stores them does not
 * exist yet; when it lands it provides this class with its own implementation (see docs/flow-nodes.md).
 */
export abstract class SheetsCredentialsProvider {
  abstract credentialsFor(tenantId: string): Promise<GoogleSheetsCredentials | undefined>;
}

/** Until the plugin exists no workspace is connected, and the node says so. */
@Injectable()
export class NoSheetsCredentials extends SheetsCredentialsProvider {
  credentialsFor(): Promise<GoogleSheetsCredentials | undefined> {
    return Promise.resolve(undefined);
  }
}
