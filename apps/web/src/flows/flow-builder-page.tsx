import { EmptyState } from '../ui/states';

/** Flow builder (being built). */
export function FlowBuilderPage() {
  return <EmptyState title="Flow builder" />;
}
