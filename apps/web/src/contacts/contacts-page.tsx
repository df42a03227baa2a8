import { EmptyState } from '../ui/states';

/** Contacts (being built). */
export function ContactsPage() {
  return <EmptyState title="Contacts" />;
}
