import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useCurrentUser } from '../auth/use-session';
import { EmptyState } from '../ui/states';
import { AiSettingsPage } from './ai/ai-settings-page';
import { ApiKeysPage } from './api-keys/api-keys-page';
import { ChannelDetailPage } from './channels/channel-detail-page';
import { ChannelsPage } from './channels/channels-page';
import { TeamsPage } from './teams/teams-page';
import { UsersPage } from './users/users-page';
import { WebhooksPage } from './webhooks/webhooks-page';

const SECTIONS = [
  { to: '/settings/channels', label: 'Channels' },
  { to: '/settings/users', label: 'Users and roles' },
  { to: '/settings/teams', label: 'Teams' },
  { to: '/settings/api-keys', label: 'API keys' },
  { to: '/settings/webhooks', label: 'Outgoing webhooks' },
  { to: '/settings/ai', label: 'AI' },
];

/** Workspace settings. Every route behind it is ADMIN-only on the API, so other roles get a plain notice. */
export function SettingsPage() {
  const me = useCurrentUser();
  if (me.role !== 'ADMIN')
    return (
      <EmptyState title="Only admins can change settings">
        <p>Ask an admin of your workspace if something here needs to change.</p>
      </EmptyState>
    );

  return (
    <div className="flex h-full flex-col md:flex-row">
      <nav
        aria-label="Settings"
        className="flex shrink-0 gap-1 overflow-x-auto border-b border-slate-200 p-3 text-sm md:w-56 md:flex-col md:border-r md:border-b-0 dark:border-slate-800"
      >
        {SECTIONS.map((s) => (
          <NavLink
            key={s.to}
            to={s.to}
            className={({ isActive }) =>
              `rounded-md px-3 py-1.5 whitespace-nowrap ${isActive ? 'bg-brand-50 font-medium text-brand-700 dark:bg-slate-800 dark:text-brand-100' : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`
            }
          >
            {s.label}
          </NavLink>
        ))}
      </nav>
      <div className="min-h-0 flex-1 overflow-y-auto p-4 md:p-6">
        <div className="mx-auto flex max-w-5xl flex-col gap-6">
          <Routes>
            <Route index element={<Navigate to="/settings/channels" replace />} />
            <Route path="channels" element={<ChannelsPage />} />
            <Route path="channels/:channelId" element={<ChannelDetailPage />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="teams" element={<TeamsPage />} />
            <Route path="api-keys" element={<ApiKeysPage />} />
            <Route path="webhooks" element={<WebhooksPage />} />
            <Route path="ai" element={<AiSettingsPage />} />
            <Route path="*" element={<EmptyState title="No such settings page" />} />
          </Routes>
        </div>
      </div>
    </div>
  );
}
