import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

/** apps/api, from src/modules/channels/live-chat (and from the same place under dist). */
const API_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface BundleFile {
  body: Buffer;
  etag: string;
}

/**
 * The built widget (apps/widget/dist/widget.js, or WIDGET_DIST_DIR), read once and again only when the file
 * changes (a deploy or a rebuild), so serving it costs a stat.
 */
@Injectable()
export class WidgetBundle {
  readonly path: string;
  private cached?: BundleFile & { mtimeMs: number; size: number };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const dir = config.WIDGET_DIST_DIR;
    this.path = join(isAbsolute(dir) ? resolve(dir) : resolve(API_ROOT, dir), 'widget.js');
  }

  /** The bundle, or undefined when it has not been built. */
  async load(): Promise<BundleFile | undefined> {
    let info;
    try {
      info = await stat(this.path);
    } catch {
      return undefined;
    }
    if (this.cached?.mtimeMs === info.mtimeMs && this.cached.size === info.size) return this.cached;
    const body = await readFile(this.path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    this.cached = { body, etag, mtimeMs: info.mtimeMs, size: info.size };
    return this.cached;
  }
}
