import { Link } from 'react-router';
import { dismissToast, useLiveState } from '../realtime/live-store';

/** Personal notifications (mentions, assignments) as they arrive. */
export function Toasts() {
  const toasts = useLiveState((s) => s.toasts);
  return (
    <div aria-live="polite" className="pointer-events-none fixed right-4 bottom-4 z-50 flex flex-col gap-2">
      {toasts.map((t) => (
        <div
          key={t.id}
          className="pointer-events-auto flex items-center gap-3 rounded-lg bg-slate-900 px-4 py-3 text-sm text-white shadow-lg dark:bg-slate-100 dark:text-slate-900"
        >
          {t.conversationId ? (
            <Link to={`/inbox/${t.conversationId}`} className="underline-offset-2 hover:underline">
              {t.text}
            </Link>
          ) : (
            <span>{t.text}</span>
          )}
          <button
            type="button"
            aria-label="Dismiss"
            className="opacity-70 hover:opacity-100"
            onClick={() => dismissToast(t.id)}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
