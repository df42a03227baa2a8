import { CONVERSATION_PRIORITIES, type TConversation } from '@orbitdesk/shared';
import { Link } from 'react-router';
import { ApiError } from '../api/client';
import { useCurrentUser } from '../auth/use-session';
import { useChatAgents } from '../chat-agents/chat-agent-queries';
import { useLiveState } from '../realtime/live-store';
import { compactSelectClass, ghostButton, primaryButton, secondaryButton } from '../ui/classes';
import { fullTime } from '../ui/format';
import { useUpdateConversation } from './mutations';
import { useChannels, useContact, useTeams, useUsers } from './queries';
import { SnoozeControl } from './snooze-control';
import { PriorityBadge, priorityLabel, StatusBadge } from './status-badge';

/** Who the conversation is with, and the actions on it: assign (person and team), prioritise, change status, snooze. */
export function ThreadHeader({ conversation: c, backTo }: { conversation: TConversation; backTo: string }) {
  const contact = useContact(c.contactId);
  const users = useUsers();
  const teams = useTeams();
  const channels = useChannels();
  const online = useLiveState((s) => s.online);
  const update = useUpdateConversation(c.id);
  const me = useCurrentUser();
  // The agent stops the moment a person is assigned (the API releases chatAgentId at its next message).
  const botActive = c.chatAgentId !== null && c.assigneeId === null;
  const agents = useChatAgents(botActive);
  const agentName = agents.data?.find((a) => a.id === c.chatAgentId)?.name;
  const channel = channels.data?.find((ch) => ch.id === c.channelId);
  const name = contact.data?.name ?? contact.data?.phone ?? contact.data?.email ?? 'Unknown contact';
  const error =
    update.error instanceof ApiError ? update.error.message : update.error ? 'Could not save' : null;

  return (
    <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-3 dark:border-slate-800 dark:bg-slate-900">
      <Link to={backTo} className={`${ghostButton} md:hidden`} aria-label="Back to conversations">
        ←
      </Link>
      <div className="min-w-48 flex-1">
        <h2 className="truncate font-semibold" data-testid="thread-title">
          {name}
        </h2>
        <p className="flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
          <span>#{c.number}</span>
          {channel && <span>· {channel.name}</span>}
          <StatusBadge status={c.status} />
          <PriorityBadge priority={c.priority} />
          {c.status === 'snoozed' && c.snoozedUntil && <span>until {fullTime(c.snoozedUntil)}</span>}
          {botActive && (
            <span
              className="rounded-full bg-violet-100 px-2 py-0.5 whitespace-nowrap font-medium text-violet-800 dark:bg-violet-950 dark:text-violet-200"
              data-testid="ai-agent-badge"
            >
              AI agent: {agentName ?? 'answering'}
            </span>
          )}
        </p>
      </div>
      {botActive && (
        <button
          type="button"
          className={secondaryButton}
          disabled={update.isPending}
          title="Assign the conversation to yourself; the AI agent stops answering"
          onClick={() => update.mutate({ assigneeId: me.id })}
        >
          Take over
        </button>
      )}
      <label className="sr-only" htmlFor="assignee">
        Assignee
      </label>
      <select
        id="assignee"
        className={`${compactSelectClass} max-w-48`}
        value={c.assigneeId ?? ''}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ assigneeId: e.target.value || null })}
      >
        <option value="">Unassigned</option>
        {users.data
          ?.filter((u) => u.isActive)
          .map((u) => (
            <option key={u.id} value={u.id}>
              {online[u.id] ? '● ' : ''}
              {u.name}
            </option>
          ))}
      </select>
      <label className="sr-only" htmlFor="team">
        Team
      </label>
      <select
        id="team"
        className={`${compactSelectClass} max-w-40`}
        value={c.teamId ?? ''}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ teamId: e.target.value || null })}
      >
        <option value="">No team</option>
        {teams.data?.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <label className="sr-only" htmlFor="priority">
        Priority
      </label>
      <select
        id="priority"
        className={compactSelectClass}
        value={c.priority}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ priority: e.target.value as TConversation['priority'] })}
      >
        {CONVERSATION_PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {p === 'none' ? priorityLabel(p) : `${priorityLabel(p)} priority`}
          </option>
        ))}
      </select>
      <label className="sr-only" htmlFor="status">
        Status
      </label>
      <select
        id="status"
        className={compactSelectClass}
        value={c.status === 'snoozed' ? '' : c.status}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ status: e.target.value as 'open' | 'pending' | 'resolved' })}
      >
        {c.status === 'snoozed' && <option value="">Snoozed</option>}
        <option value="open">Open</option>
        <option value="pending">Pending</option>
        <option value="resolved">Resolved</option>
      </select>
      <SnoozeControl
        onSnooze={(until) => update.mutate({ status: 'snoozed', snoozedUntil: until.toISOString() })}
      />
      {c.status === 'resolved' ? (
        <button type="button" className={secondaryButton} onClick={() => update.mutate({ status: 'open' })}>
          Reopen
        </button>
      ) : (
        <button type="button" className={primaryButton} onClick={() => update.mutate({ status: 'resolved' })}>
          Resolve
        </button>
      )}
      {error && (
        <p role="alert" className="w-full text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </header>
  );
}
