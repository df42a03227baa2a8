import { EmptyState } from '../ui/states';

/** Platform (being built). */
export function PlatformPage() {
  return <EmptyState title="Platform" />;
}
