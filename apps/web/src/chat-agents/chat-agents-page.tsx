import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../app/not-found';
import { useCurrentUser } from '../auth/use-session';
import { EmptyState } from '../ui/states';
import { ChatAgentPage, NewChatAgentPage } from './chat-agent-page';
import { ChatAgentsListPage } from './chat-agents-list-page';

/** Everything under /ai-agents. Admins change agents; everyone in the workspace may look. */
export function ChatAgentsPage() {
  const me = useCurrentUser();
  return (
    <div className="h-full overflow-y-auto p-4 sm:p-6">
      <div className="mx-auto max-w-6xl">
        <Routes>
          <Route index element={<ChatAgentsListPage />} />
          <Route
            path="new"
            element={
              me.role === 'ADMIN' ? (
                <NewChatAgentPage />
              ) : (
                <EmptyState title="Only admins can create AI agents" />
              )
            }
          />
          <Route path=":agentId" element={<ChatAgentPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </div>
    </div>
  );
}
