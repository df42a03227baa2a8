import { NavLink, Route, Routes } from 'react-router';
import { NotFoundPage } from '../app/not-found';
import { useCurrentUser } from '../auth/use-session';
import { EmptyState } from '../ui/states';
import { TenantsPage } from './tenants-page';
import { UsersPage } from './users-page';

const TABS = [
  { to: '/platform', label: 'Workspaces', end: true },
  { to: '/platform/users', label: 'Users', end: false },
];

/**
 * The superadmin panel. Platform admins sign in through the ordinary login (the API finds them in
 * platform_admins and issues a session without a tenant); everyone else gets "not allowed" here, and the API
 * refuses the routes to them anyway.
 */
export function PlatformPage() {
  const me = useCurrentUser();
  if (me.role !== 'SUPERADMIN') {
    return (
      <div data-testid="not-allowed">
        <EmptyState title="Not allowed">The platform panel is for OrbitDesk superadmins.</EmptyState>
      </div>
    );
  }
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-6xl">
        <div className="flex items-center gap-4 border-b border-slate-200 px-3 pt-3 dark:border-slate-800">
          <h1 className="text-lg font-semibold">Platform</h1>
          <nav className="flex gap-1 text-sm" aria-label="Platform sections">
            {TABS.map((tab) => (
              <NavLink
                key={tab.to}
                to={tab.to}
                end={tab.end}
                className={({ isActive }) =>
                  `border-b-2 px-3 py-2 ${isActive ? 'border-brand-600 font-medium' : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'}`
                }
              >
                {tab.label}
              </NavLink>
            ))}
          </nav>
        </div>
        <Routes>
          <Route index element={<TenantsPage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </div>
    </div>
  );
}
