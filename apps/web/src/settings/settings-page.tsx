import { EmptyState } from '../ui/states';

/** Settings (being built). */
export function SettingsPage() {
  return <EmptyState title="Settings" />;
}
