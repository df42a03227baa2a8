import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from '../api/client';
import { AcceptInvitePage } from '../auth/accept-invite-page';
import { LoginPage } from '../auth/login-page';
import { RegisterPage } from '../auth/register-page';
import { RequireAuth } from '../auth/require-auth';
import { InboxPage } from '../inbox/inbox-page';
import { Spinner } from '../ui/states';
import { useCurrentUser } from '../auth/use-session';
import { AppShell } from './app-shell';
import { NotFoundPage } from './not-found';

// Every page but the inbox is loaded when first opened: the charts and the flow editor are large.
const ContactsPage = lazy(() =>
  import('../contacts/contacts-page').then((m) => ({ default: m.ContactsPage })),
);
const DashboardPage = lazy(() =>
  import('../dashboard/dashboard-page').then((m) => ({ default: m.DashboardPage })),
);
const FlowsPage = lazy(() => import('../flows/flows-page').then((m) => ({ default: m.FlowsPage })));
const FlowBuilderPage = lazy(() =>
  import('../flows/flow-builder-page').then((m) => ({ default: m.FlowBuilderPage })),
);
const PlatformPage = lazy(() =>
  import('../platform/platform-page').then((m) => ({ default: m.PlatformPage })),
);
const ChatAgentsPage = lazy(() =>
  import('../chat-agents/chat-agents-page').then((m) => ({ default: m.ChatAgentsPage })),
);
const KnowledgePage = lazy(() =>
  import('../knowledge/knowledge-page').then((m) => ({ default: m.KnowledgePage })),
);
const SettingsPage = lazy(() =>
  import('../settings/settings-page').then((m) => ({ default: m.SettingsPage })),
);

/** A superadmin has no workspace and so no inbox: their home is the platform panel. */
function HomeRedirect() {
  const me = useCurrentUser();
  return <Navigate to={me.role === 'SUPERADMIN' ? '/platform' : '/inbox'} replace />;
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change on retry; network hiccups and 5xx may.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Suspense fallback={<Spinner />}>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="/register" element={<RegisterPage />} />
            <Route path="/accept-invite" element={<AcceptInvitePage />} />
            <Route
              element={
                <RequireAuth>
                  <AppShell />
                </RequireAuth>
              }
            >
              <Route index element={<HomeRedirect />} />
              <Route path="/inbox" element={<InboxPage />} />
              <Route path="/inbox/:conversationId" element={<InboxPage />} />
              <Route path="/dashboard" element={<DashboardPage />} />
              <Route path="/contacts/*" element={<ContactsPage />} />
              <Route path="/flows" element={<FlowsPage />} />
              <Route path="/flows/:flowId" element={<FlowBuilderPage />} />
              <Route path="/ai-agents/*" element={<ChatAgentsPage />} />
              <Route path="/knowledge/*" element={<KnowledgePage />} />
              <Route path="/settings/*" element={<SettingsPage />} />
              <Route path="/platform/*" element={<PlatformPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
