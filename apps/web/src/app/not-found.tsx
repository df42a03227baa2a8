import { Link } from 'react-router';
import { EmptyState } from '../ui/states';

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found">
      <Link to="/inbox" className="text-brand-600 hover:underline">
        Go to the inbox
      </Link>
    </EmptyState>
  );
}
