import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { RealtimeModule } from '../../realtime/realtime.module.js';
import { ChannelCoreModule } from '../channel-core.module.js';
import { LiveChatAdapter } from './live-chat.adapter.js';
import { LiveChatController } from './live-chat.controller.js';
import { LiveChatEmitter } from './live-chat.emitter.js';
import { LiveChatGateway } from './live-chat.gateway.js';
import { LiveChatMailer } from './live-chat.mailer.js';
import { LiveChatPresence } from './live-chat.presence.js';
import { LiveChatRepository } from './live-chat.repository.js';
import { LiveChatChannelType } from './live-chat.type.js';
import { LiveChatFileLinks } from './live-chat.visitor-message.js';
import { LiveChatHistoryService } from './live-chat-history.service.js';
import { LiveChatMessagesService } from './live-chat-messages.service.js';
import { LiveChatSessionService } from './live-chat-session.service.js';
import { LiveChatVisitorAuth } from './live-chat-visitor-auth.service.js';
import { VisitorTokenService } from './visitor-token.service.js';
import { WidgetBundle } from './widget-bundle.js';
import { WidgetRoutes } from './widget-routes.js';

/**
 * The live-chat widget's outbound half (API and worker): emits to the visitor's room through Redis, or emails a
 * visitor who left.
 */
@Module({
  imports: [ChannelCoreModule],
  providers: [LiveChatAdapter, LiveChatEmitter, LiveChatPresence, LiveChatMailer, LiveChatFileLinks],
  exports: [LiveChatEmitter, LiveChatPresence, LiveChatMailer, LiveChatFileLinks],
})
export class LiveChatAdapterModule {}

/**
 * The live-chat widget in the API: the type handler, the visitors' HTTP API, /widget.js and the /widget
 * namespace. Imports RealtimeModule so that its bootstrap (which creates the Socket.IO server) runs first.
 */
@Module({
  imports: [ChannelCoreModule, LiveChatAdapterModule, AttachmentsModule, RealtimeModule],
  controllers: [LiveChatController],
  providers: [
    LiveChatChannelType,
    LiveChatRepository,
    LiveChatVisitorAuth,
    LiveChatSessionService,
    LiveChatHistoryService,
    LiveChatMessagesService,
    LiveChatGateway,
    VisitorTokenService,
    WidgetBundle,
    WidgetRoutes,
  ],
})
export class LiveChatChannelModule {}
