import { useCurrentUser } from '../auth/use-session';
import { typingIn, useLiveState } from '../realtime/live-store';
import { useUsers } from './queries';

export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const me = useCurrentUser();
  const typing = useLiveState(typingIn(conversationId));
  const users = useUsers();
  const names = typing
    .filter((id) => id !== me.id)
    .map((id) => users.data?.find((u) => u.id === id)?.name ?? 'Someone');
  return (
    <p
      aria-live="polite"
      className="h-5 px-4 text-xs text-slate-500 dark:text-slate-400"
      data-testid="typing"
    >
      {names.length > 0 && `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} typing…`}
    </p>
  );
}
