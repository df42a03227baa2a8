import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { ChannelTypeRegistry, type ChannelTypeContext, type ChannelTypeHandler } from '../channel-type.js';

/** `api` inboxes: the caller's system posts to webhookUrl with X-Inbox-Secret; there is no provider to ask. */
@Injectable()
export class ApiChannelType implements ChannelTypeHandler, OnModuleInit {
  readonly type = 'api' as const;

  constructor(private readonly registry: ChannelTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  webhookUrl({ publicUrl, row }: ChannelTypeContext): string {
    return `${publicUrl}/api/v1/channels/api/${row.id}/messages`;
  }

  details({ publicUrl, row }: ChannelTypeContext): Record<string, unknown> {
    return { statusUrl: `${publicUrl}/api/v1/channels/api/${row.id}/status` };
  }

  test({ row, secrets }: ChannelTypeContext): Promise<TChannelTestResult> {
    const ok = typeof row.config.callbackUrl === 'string' && Boolean(secrets.inboundSecret);
    return Promise.resolve(
      ok
        ? { ok: true, message: `Ready: replies are POSTed to ${String(row.config.callbackUrl)}` }
        : { ok: false, message: 'The inbox has no callback URL or inbound secret' },
    );
  }
}
