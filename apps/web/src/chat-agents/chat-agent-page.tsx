import type { TChatAgent } from '@orbitdesk/shared';
import { Link, useNavigate, useParams } from 'react-router';
import { useCurrentUser } from '../auth/use-session';
import { ConfirmButton } from '../settings/confirm-button';
import { Badge, MutationError } from '../settings/settings-ui';
import { cardClass } from '../ui/classes';
import { fullTime } from '../ui/format';
import { ErrorState, Spinner } from '../ui/states';
import { ChatAgentForm } from './chat-agent-form';
import { ChatAgentPreview } from './chat-agent-preview';
import {
  useChatAgent,
  useCreateChatAgent,
  useDeleteChatAgent,
  useUpdateChatAgent,
} from './chat-agent-queries';

const backLink = (
  <Link to="/ai-agents" className="text-sm text-brand-600 hover:underline dark:text-brand-500">
    ← All AI agents
  </Link>
);

export function NewChatAgentPage() {
  const navigate = useNavigate();
  const create = useCreateChatAgent();
  return (
    <div className="flex flex-col gap-4">
      {backLink}
      <h1 className="text-xl font-semibold">New AI agent</h1>
      <div className={`${cardClass} p-4`}>
        <ChatAgentForm
          readOnly={false}
          onSubmit={async (body) => {
            const agent = await create.mutateAsync(body);
            // The preview needs a saved agent: its page opens next.
            if (agent) await navigate(`/ai-agents/${agent.id}`, { replace: true });
          }}
          onCancel={() => void navigate('/ai-agents')}
        />
      </div>
    </div>
  );
}

function AgentEditor({ agent, isAdmin }: { agent: TChatAgent; isAdmin: boolean }) {
  const navigate = useNavigate();
  const update = useUpdateChatAgent();
  const remove = useDeleteChatAgent();
  return (
    <div className="flex flex-col gap-4">
      {backLink}
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{agent.name}</h1>
        <Badge tone={agent.enabled ? 'green' : 'slate'}>{agent.enabled ? 'Enabled' : 'Disabled'}</Badge>
        <span className="text-xs text-slate-500 dark:text-slate-400">
          Changed {fullTime(agent.updatedAt)}
        </span>
      </div>
      {!isAdmin && (
        <p className="text-sm text-slate-600 dark:text-slate-400">Only admins can change AI agents.</p>
      )}
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className={`${cardClass} p-4`}>
          {/* Keyed by the stored version so a save elsewhere starts the form over from it. */}
          <ChatAgentForm
            key={agent.id}
            agent={agent}
            readOnly={!isAdmin}
            onSubmit={(body) => update.mutateAsync({ id: agent.id, body })}
            onCancel={() => void navigate('/ai-agents')}
          />
        </div>
        {isAdmin && (
          <div className="flex flex-col gap-4">
            <ChatAgentPreview agentId={agent.id} />
            <div className={`${cardClass} flex flex-col gap-2 p-4`}>
              <ConfirmButton
                label="Delete agent"
                question="Its inboxes will no longer be answered by AI."
                confirmLabel="Delete agent"
                pending={remove.isPending}
                onConfirm={() =>
                  remove.mutate(agent.id, { onSuccess: () => void navigate('/ai-agents', { replace: true }) })
                }
              />
              <MutationError error={remove.error} />
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

/** One agent: its settings (read-only for non-admins), the preview and deleting. */
export function ChatAgentPage() {
  const { agentId = '' } = useParams();
  const me = useCurrentUser();
  const agent = useChatAgent(agentId);
  if (agent.isPending) return <Spinner label="Loading the agent" />;
  if (agent.isError) return <ErrorState error={agent.error} onRetry={() => void agent.refetch()} />;
  return <AgentEditor agent={agent.data} isAdmin={me.role === 'ADMIN'} />;
}
