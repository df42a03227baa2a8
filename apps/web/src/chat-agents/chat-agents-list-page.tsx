import { Link } from 'react-router';
import { MODE_LABELS, PROVIDER_LABELS } from '../ai/ai-labels';
import { useCurrentUser } from '../auth/use-session';
import { useChannels } from '../inbox/queries';
import { DataTable, MutationError, tdClass } from '../settings/settings-ui';
import { cardClass, primaryButton } from '../ui/classes';
import { EmptyState, QueryStates } from '../ui/states';
import { Switch } from '../ui/switch';
import { useChatAgents, useUpdateChatAgent } from './chat-agent-queries';

/** /ai-agents: every chat agent with what it runs on and where it answers; admins switch them on and off here. */
export function ChatAgentsListPage() {
  const me = useCurrentUser();
  const isAdmin = me.role === 'ADMIN';
  const agents = useChatAgents();
  const channels = useChannels();
  const update = useUpdateChatAgent();
  const inboxName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? 'Deleted inbox';

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">AI agents</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Agents answer customers in the inboxes you give them and hand over to a person when asked.
          </p>
        </div>
        {isAdmin && (
          <Link to="/ai-agents/new" className={primaryButton}>
            New agent
          </Link>
        )}
      </div>
      <MutationError error={update.error} />
      <div className={cardClass}>
        <QueryStates
          query={agents}
          loadingLabel="Loading AI agents"
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState title="No AI agents yet">
              <p>
                {isAdmin
                  ? 'Create one to answer common questions from your knowledge bases, day and night.'
                  : 'An admin of your workspace can create one.'}
              </p>
            </EmptyState>
          }
        >
          {(data) => (
            <DataTable columns={['Name', 'Mode', 'Provider', 'Inboxes', 'Enabled']}>
              {data.map((a) => (
                <tr key={a.id} data-testid="agent-row">
                  <td className={tdClass}>
                    <Link
                      to={`/ai-agents/${a.id}`}
                      className="font-medium text-brand-600 hover:underline dark:text-brand-500"
                    >
                      {a.name}
                    </Link>
                    {a.description && (
                      <p className="line-clamp-1 text-xs text-slate-500 dark:text-slate-400">
                        {a.description}
                      </p>
                    )}
                  </td>
                  <td className={tdClass}>{MODE_LABELS[a.mode]}</td>
                  <td className={tdClass}>
                    {a.provider ? (
                      <>
                        {PROVIDER_LABELS[a.provider]}
                        {a.model && <span className="block font-mono text-xs text-slate-500">{a.model}</span>}
                      </>
                    ) : (
                      <span className="text-slate-500 dark:text-slate-400">Workspace default</span>
                    )}
                  </td>
                  <td className={tdClass}>
                    {a.inboxIds.length === 0 ? (
                      <span className="text-slate-500 dark:text-slate-400">None</span>
                    ) : (
                      a.inboxIds.map(inboxName).join(', ')
                    )}
                  </td>
                  <td className={tdClass}>
                    <Switch
                      checked={a.enabled}
                      label={`${a.name} enabled`}
                      testId="agent-enabled"
                      disabled={!isAdmin || (update.isPending && update.variables?.id === a.id)}
                      onChange={(enabled) => update.mutate({ id: a.id, body: { enabled } })}
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryStates>
      </div>
    </div>
  );
}
