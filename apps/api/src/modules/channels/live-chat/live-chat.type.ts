import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { randomToken } from '../../../common/crypto/hash.js';
import type { ChannelSecrets } from '../channel-credentials.service.js';
import { ChannelTypeRegistry, type ChannelTypeContext, type ChannelTypeHandler } from '../channel-type.js';
import { liveChatConfig } from './live-chat.config.js';
import { LiveChatGateway } from './live-chat.gateway.js';
import { LiveChatMailer } from './live-chat.mailer.js';
import { WidgetBundle } from './widget-bundle.js';

/**
 * `live_chat` inboxes: the platform itself is the provider. Creating one makes its public website token (what
 * the snippet carries; also the inbox's external id, so sessions find it) and its identity secret.
 */
@Injectable()
export class LiveChatChannelType implements ChannelTypeHandler, OnModuleInit {
  readonly type = 'live_chat' as const;

  constructor(
    private readonly registry: ChannelTypeRegistry,
    private readonly bundle: WidgetBundle,
    private readonly mailer: LiveChatMailer,
    private readonly gateway: LiveChatGateway,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  generateSecrets(): ChannelSecrets {
    return { websiteToken: randomToken(24), identitySecret: randomToken(32) };
  }

  externalId(_config: Record<string, unknown>, secrets: ChannelSecrets): string | undefined {
    return secrets.websiteToken;
  }

  /** Where the widget (or any client speaking its protocol) posts visitor messages; nothing to register. */
  webhookUrl({ publicUrl }: ChannelTypeContext): string {
    return `${publicUrl}/api/v1/channels/live-chat/message`;
  }

  /**
   * The snippet to paste before </body>, and the identity secret for the host site's server. /channels is
   * ADMIN-only, so only admins ever see the secret; they replace it with PATCH credentials.identitySecret.
   */
  details({ publicUrl, secrets }: ChannelTypeContext): Record<string, unknown> {
    const scriptUrl = `${publicUrl}/widget.js`;
    return {
      websiteToken: secrets.websiteToken,
      scriptUrl,
      snippet: `<script src="${scriptUrl}" data-website-token="${secrets.websiteToken}" async></script>`,
      identitySecret: secrets.identitySecret,
    };
  }

  /** Disabled or deleted: the visitors' open chats close now, not when their tokens expire. */
  disconnect({ row }: ChannelTypeContext): Promise<void> {
    this.gateway.disconnectInbox(row.tenantId, row.id);
    return Promise.resolve();
  }

  async test({ row, secrets }: ChannelTypeContext): Promise<TChannelTestResult> {
    if (!secrets.websiteToken || !secrets.identitySecret) {
      return { ok: false, message: 'The inbox has no website token or identity secret; create it again' };
    }
    if (!(await this.bundle.load())) {
      return {
        ok: false,
        message: `The widget is not built on this server: ${this.bundle.path} is missing (pnpm --filter @orbitdesk/widget build)`,
      };
    }
    const mail = await this.mailer.verify();
    const { websiteUrl } = liveChatConfig(row.config);
    return mail.ok
      ? { ok: true, message: `Ready: paste the snippet into ${websiteUrl}; ${mail.message}` }
      : { ok: false, message: mail.message };
  }
}
