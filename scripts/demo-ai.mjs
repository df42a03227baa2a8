// Gives the demo workspace (Acme) working AI through the public API, once the platform is up: a knowledge base
// with a help-center text (indexed by the worker through the AI service's offline `local` provider) and a RAG chat
// agent answering the website chat. Run by scripts/up.sh; safe to run again (it checks by name first).
//   node scripts/demo-ai.mjs http://127.0.0.1:3002
import { demoApi } from './demo-api.mjs';

const KB_NAME = 'Acme help center';
const AGENT_NAME = 'Acme assistant';
const HELP_CENTER = `Acme help center

Shipping. Orders placed before 2 pm (CET) on a working day leave our warehouse the same day. Standard delivery
inside the EU takes 2 to 4 working days and costs 4.90 EUR; it is free for orders over 50 EUR. Express delivery
arrives the next working day and costs 12 EUR. You get a tracking link by email as soon as the parcel leaves.

Returns and refunds. You can return any item within 30 days of delivery, unused and in its original packaging.
Start a return from your order page; the return label is free. Refunds are issued to the original payment method
within 5 working days after the return reaches our warehouse.

Warranty. Every Acme device carries a 2-year warranty covering manufacturing defects. Accidental damage and
normal wear are not covered. To claim, send the order number and a photo or video of the defect.

Opening hours. Our support team answers Monday to Friday from 8:00 to 18:00 CET and Saturday from 9:00 to
13:00 CET. Outside these hours the assistant answers and a person follows up the next working day.

Payments. We accept Visa, Mastercard, American Express, PayPal and bank transfer. Invoices are available as PDF on
the order page. A duplicate charge is refunded automatically within 3 working days.`;

const { call, adminToken } = demoApi(process.argv[2] ?? 'http://127.0.0.1:3002');
const accessToken = await adminToken();
const agents = await call('GET', '/chat-agents', accessToken);
if (agents.items.some((a) => a.name === AGENT_NAME)) {
  console.log(`AI demo: "${AGENT_NAME}" already exists; nothing to do.`);
  process.exit(0);
}
const bases = await call('GET', '/knowledge-bases', accessToken);
let kb = bases.items.find((b) => b.name === KB_NAME);
if (!kb) {
  kb = await call('POST', '/knowledge-bases', accessToken, {
    name: KB_NAME,
    description: 'Shipping, returns, warranty, hours and payments.',
  });
  await call('POST', `/knowledge-bases/${kb.id}/sources`, accessToken, {
    type: 'TEXT',
    name: 'help-center.txt',
    // Paragraphs on one line each: the source text is wrapped here only to keep this file readable.
    text: HELP_CENTER.replace(/(?<!\n)\n(?!\n)/g, ' '),
  });
}
const inboxes = await call('GET', '/inboxes', accessToken);
const chat = inboxes.items.find((i) => i.type === 'live_chat');
await call('POST', '/chat-agents', accessToken, {
  name: AGENT_NAME,
  description: 'Answers website visitors from the help center; hands over on request.',
  mode: 'rag',
  systemPrompt: 'You are the friendly assistant of Acme. Answer briefly, only from the help center.',
  knowledgeBaseIds: [kb.id],
  inboxIds: chat ? [chat.id] : [],
});
console.log(
  `AI demo: "${AGENT_NAME}" answers ${chat ? `"${chat.name}"` : 'no inbox yet'} from "${KB_NAME}" ` +
    '(say "human" to be handed to a person).',
);
