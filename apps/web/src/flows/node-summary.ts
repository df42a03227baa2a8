/** One line under a node's title saying what it is set to do, so the canvas reads without opening forms. */
export function nodeSummary(type: string, data: Record<string, unknown>): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (type) {
    case 'send_message':
      return data.messageType === 'text' ? text(data.text) : `${text(data.messageType)} message`;
    case 'delay':
      return typeof data.amount === 'number' ? `${data.amount} ${text(data.unit)}` : '';
    case 'http_request':
      return `${text(data.method)} ${text(data.url)}`.trim();
    case 'ai_response':
      return text(data.prompt);
    case 'send_email':
      return text(data.subject);
    case 'send_sms':
      return text(data.text);
    case 'voice_call':
      return text(data.say);
    case 'wait_for_reply':
      return data.saveAs ? `saves the reply in vars.${text(data.saveAs)}` : '';
    case 'loop':
      return text(data.items);
    default:
      return '';
  }
}
