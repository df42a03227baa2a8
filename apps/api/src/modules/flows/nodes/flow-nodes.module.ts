import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../../channels/channel-core.module.js';
import { TwilioSmsAdapterModule } from '../../channels/twilio-sms/twilio-sms.module.js';
import { AiResponseNode } from './ai/ai-response.node.js';
import { ChatAgentsCoreModule } from '../../chat-agents/chat-agents-core.module.js';
import { ChatAgentFlowAiClient } from './ai/chat-agent-flow-ai-client.js';
import { FlowAiClient } from './ai/flow-ai-client.js';
import { ConditionNode } from './condition.node.js';
import { FlowInboxes } from './flow-inboxes.js';
import { FlowRegistryModule } from './flow-registry.module.js';
import { FlowTwilio } from './flow-twilio.js';
import { GoogleAccessTokens } from './google-sheets/google-access-tokens.js';
import { GoogleSheetsNode } from './google-sheets/google-sheets.node.js';
import {
  NoSheetsCredentials,
  SheetsCredentialsProvider,
} from './google-sheets/sheets-credentials.provider.js';
import { HttpRequestNode } from './http-request.node.js';
import { LoopNode } from './loop.node.js';
import { SendEmailNode } from './send-email.node.js';
import { SendSmsNode } from './send-sms.node.js';
import { SetVariableNode } from './set-variable.node.js';
import { VoiceCallNode } from './voice-call.node.js';

/**
 * The flow node types other than the executor's own (trigger, send_message, delay, wait_for_reply,
 * human_handoff, end). Each handler registers itself with the process's FlowNodeRegistry when the module
 * starts. Needs the global infrastructure of the API and the worker: APP_CONFIG, Database, SafeHttpClient.
 */
@Module({
  imports: [FlowRegistryModule, ChannelCoreModule, TwilioSmsAdapterModule, ChatAgentsCoreModule],
  providers: [
    FlowInboxes,
    FlowTwilio,
    GoogleAccessTokens,
    { provide: SheetsCredentialsProvider, useClass: NoSheetsCredentials },
    { provide: FlowAiClient, useClass: ChatAgentFlowAiClient },
    ConditionNode,
    SetVariableNode,
    LoopNode,
    HttpRequestNode,
    SendEmailNode,
    SendSmsNode,
    VoiceCallNode,
    GoogleSheetsNode,
    AiResponseNode,
  ],
})
export class FlowNodesModule {}
