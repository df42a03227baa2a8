import { useQueryClient } from '@tanstack/react-query';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { logOut } from '../auth/auth-actions';
import { useCurrentUser } from '../auth/use-session';
import { useLiveUpdates } from '../realtime/use-live-updates';
import { ghostButton } from '../ui/classes';
import { initials } from '../ui/format';
import { ThemeToggle } from '../ui/theme';
import { Toasts } from './toasts';

/** The top bar's pages; each page checks the role it needs itself. A superadmin has only the platform panel. */
const WORKSPACE_NAV = [
  { to: '/inbox', label: 'Inbox' },
  { to: '/dashboard', label: 'Dashboard' },
  { to: '/contacts', label: 'Contacts' },
  { to: '/flows', label: 'Flows' },
  { to: '/ai-agents', label: 'AI agents' },
  { to: '/knowledge', label: 'Knowledge' },
  { to: '/settings', label: 'Settings' },
];
const PLATFORM_NAV = [{ to: '/platform', label: 'Platform' }];

/** The signed-in frame: top bar, the page, live updates and notification toasts. */
export function AppShell() {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  useLiveUpdates(me.id);

  const onLogout = async () => {
    await logOut(queryClient);
    await navigate('/login', { replace: true });
  };

  return (
    <div className="flex h-full flex-col">
      <header className="flex h-14 shrink-0 items-center gap-4 border-b border-slate-200 bg-white px-4 dark:border-slate-800 dark:bg-slate-900">
        <span className="font-semibold tracking-tight">
          <span className="text-brand-600">●</span> OrbitDesk
        </span>
        <nav className="flex min-w-0 gap-1 overflow-x-auto text-sm">
          {(me.role === 'SUPERADMIN' ? PLATFORM_NAV : WORKSPACE_NAV).map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              className={({ isActive }) =>
                `rounded-md px-3 py-1.5 whitespace-nowrap ${isActive ? 'bg-brand-50 font-medium text-brand-700 dark:bg-slate-800 dark:text-brand-100' : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`
              }
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <span className="hidden text-sm text-slate-500 sm:inline dark:text-slate-400">
            {me.tenant?.name ?? 'Platform'}
          </span>
          <span
            title={`${me.name} (${me.role})`}
            className="flex size-8 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-700 dark:bg-slate-700 dark:text-slate-100"
          >
            {initials(me.name)}
          </span>
          <ThemeToggle />
          <button type="button" className={ghostButton} onClick={() => void onLogout()} data-testid="logout">
            Log out
          </button>
        </div>
      </header>
      <main className="min-h-0 flex-1">
        <Outlet />
      </main>
      <Toasts />
    </div>
  );
}
