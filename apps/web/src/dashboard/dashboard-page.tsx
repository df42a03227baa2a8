import { EmptyState } from '../ui/states';

/** Dashboard (being built). */
export function DashboardPage() {
  return <EmptyState title="Dashboard" />;
}
