/** The API's shapes the widget uses (see ZLiveChat* in @orbitdesk/shared); only the fields it reads. */

export interface ChatMessage {
  id: string;
  clientMessageId: string | null;
  from: 'visitor' | 'agent';
  type: string;
  content: {
    text?: string;
    url?: string;
    filename?: string;
    mimeType?: string;
    caption?: string;
    latitude?: number;
    longitude?: number;
    name?: string;
    address?: string;
  };
  status: string;
  createdAt: string;
}

export interface ChatSession {
  visitorToken: string;
  visitor: { id: string; name: string | null; email: string | null; verified: boolean };
  config: { title: string; color: string; welcomeMessage: string | null; preChatForm: boolean };
  messages: ChatMessage[];
  hasMore: boolean;
}

export interface Upload {
  attachmentId: string;
  messageType: string;
}

/** What the host page may tell the widget about its signed-in user (see docs/channels/live-chat.md). */
export interface HostUser {
  identifier?: string;
  identifierHash?: string;
  name?: string;
  email?: string;
}
