import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from '../api/client';
import { AcceptInvitePage } from '../auth/accept-invite-page';
import { LoginPage } from '../auth/login-page';
import { RegisterPage } from '../auth/register-page';
import { RequireAuth } from '../auth/require-auth';
import { ContactsPage } from '../contacts/contacts-page';
import { DashboardPage } from '../dashboard/dashboard-page';
import { FlowBuilderPage } from '../flows/flow-builder-page';
import { FlowsPage } from '../flows/flows-page';
import { InboxPage } from '../inbox/inbox-page';
import { PlatformPage } from '../platform/platform-page';
import { SettingsPage } from '../settings/settings-page';
import { AppShell } from './app-shell';
import { NotFoundPage } from './not-found';

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
            <Route index element={<Navigate to="/inbox" replace />} />
            <Route path="/inbox" element={<InboxPage />} />
            <Route path="/inbox/:conversationId" element={<InboxPage />} />
            <Route path="/dashboard" element={<DashboardPage />} />
            <Route path="/contacts/*" element={<ContactsPage />} />
            <Route path="/flows" element={<FlowsPage />} />
            <Route path="/flows/:flowId" element={<FlowBuilderPage />} />
            <Route path="/settings/*" element={<SettingsPage />} />
            <Route path="/platform/*" element={<PlatformPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
