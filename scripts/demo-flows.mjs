// Gives the demo workspace (Acme) a published flow through the public API, once the platform is up: on the
// "Website (API)" inbox, a message mentioning "order status" is answered by a bot that asks for the order number,
// waits for it, answers for a known order and hands anything else to the Billing team. Run by scripts/up.sh; safe
// to run again (it checks by name first).
//   node scripts/demo-flows.mjs http://127.0.0.1:3002
import { pathToFileURL } from 'node:url';
import { demoApi } from './demo-api.mjs';

export const FLOW_NAME = 'Order status bot';
/** The seed's fixed ids (apps/api/src/db/seed.ts): the demo api inbox and the Billing team. */
export const DEMO_INBOX_ID = '00000000-0000-4000-8000-00000000d001';
export const DEMO_TEAM_ID = '00000000-0000-4000-8000-00000000d301';

const place = (x, y) => ({ position: { x, y } });

/** The flow as POST /api/v1/flows takes it. */
export function orderStatusFlow(inboxId = DEMO_INBOX_ID, teamId = DEMO_TEAM_ID) {
  return {
    name: FLOW_NAME,
    description: 'Asks for the order number, answers for order 1042, hands the rest to Billing.',
    trigger: {
      type: 'keyword',
      settings: { keywords: ['order status', 'where is my order'], match: 'contains', channelIds: [inboxId] },
    },
    graph: {
      nodes: [
        { id: 'start', type: 'trigger', meta: place(0, 0), data: {} },
        {
          id: 'ask',
          type: 'send_message',
          meta: place(300, 0),
          data: { messageType: 'text', text: 'Hi {{contact.name}}! What is your order number?' },
        },
        {
          id: 'wait',
          type: 'wait_for_reply',
          meta: place(600, 0),
          data: { saveAs: 'orderNumber', timeout: { amount: 30, unit: 'minutes' } },
        },
        {
          id: 'known',
          type: 'condition',
          meta: place(900, 0),
          data: {
            branches: [
              { id: 'o1042', rules: [{ left: '{{vars.orderNumber}}', operator: 'contains', right: '1042' }] },
            ],
          },
        },
        {
          id: 'tracking',
          type: 'send_message',
          meta: place(1200, -150),
          data: {
            messageType: 'text',
            text: 'Order 1042 left our warehouse yesterday and arrives within 2 working days. Anything else?',
          },
        },
        {
          id: 'handoff',
          type: 'human_handoff',
          meta: place(1200, 150),
          data: { teamId, note: 'Bot: {{contact.name}} asked about order {{vars.orderNumber}}' },
        },
        {
          id: 'late',
          type: 'send_message',
          meta: place(900, 300),
          data: { messageType: 'text', text: 'No problem: write "order status" again whenever you have it.' },
        },
        { id: 'done', type: 'end', meta: place(1500, -150), data: {} },
      ],
      edges: [
        { sourceNodeID: 'start', targetNodeID: 'ask' },
        { sourceNodeID: 'ask', targetNodeID: 'wait' },
        { sourceNodeID: 'wait', targetNodeID: 'known' },
        { sourceNodeID: 'wait', targetNodeID: 'late', sourcePortID: 'timeout' },
        { sourceNodeID: 'known', targetNodeID: 'tracking', sourcePortID: 'o1042' },
        { sourceNodeID: 'known', targetNodeID: 'handoff', sourcePortID: 'else' },
        { sourceNodeID: 'tracking', targetNodeID: 'done' },
      ],
    },
  };
}

async function main(apiBase) {
  const { call, adminToken } = demoApi(apiBase);
  const accessToken = await adminToken();
  const flows = await call('GET', '/flows?limit=100', accessToken);
  const existing = flows.items.find((f) => f.name === FLOW_NAME);
  if (existing && existing.status !== 'DRAFT') {
    console.log(`Flow demo: "${FLOW_NAME}" already exists; nothing to do.`);
    return;
  }
  // A draft left by an earlier run that stopped before publishing is published now.
  const flow = existing ?? (await call('POST', '/flows', accessToken, orderStatusFlow()));
  await call('POST', `/flows/${flow.id}/publish`, accessToken);
  console.log(
    `Flow demo: "${FLOW_NAME}" is active on "Website (API)": post a message saying "order status" to try it.`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv[2] ?? 'http://127.0.0.1:3002');
}
