import { EmptyState } from '../ui/states';

/** Flows (being built). */
export function FlowsPage() {
  return <EmptyState title="Flows" />;
}
