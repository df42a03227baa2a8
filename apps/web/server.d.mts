/** Types of server.mjs, for the end-to-end tests that start it in-process. */
export declare const DEFAULT_DIST_DIR: string;

export interface WebServerOptions {
  port?: number;
  host?: string;
  apiUrl?: string;
  distDir?: string;
  logger?: boolean;
}

export interface RunningWebServer {
  url: string;
  close(): Promise<void>;
}

export declare function startWebServer(options?: WebServerOptions): Promise<RunningWebServer>;
