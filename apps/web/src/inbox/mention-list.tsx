import type { TUser } from '@orbitdesk/shared';
import { cardClass } from '../ui/classes';

interface Props {
  users: TUser[];
  highlight: number;
  onPick: (user: TUser) => void;
}

/** The @mention suggestions above the composer; driven from the textarea's keys (arrows, Enter, Esc). */
export function MentionList({ users, highlight, onPick }: Props) {
  return (
    <ul
      role="listbox"
      aria-label="Mention someone"
      className={`${cardClass} absolute bottom-full left-10 z-20 mb-2 w-64 py-1 text-sm`}
    >
      {users.map((u, i) => (
        <li
          key={u.id}
          role="option"
          aria-selected={i === highlight}
          className={`cursor-pointer px-3 py-1.5 ${i === highlight ? 'bg-brand-50 dark:bg-slate-800' : ''}`}
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(u);
          }}
        >
          <span className="font-medium">{u.name}</span>{' '}
          <span className="text-xs text-slate-500 dark:text-slate-400">{u.email}</span>
        </li>
      ))}
    </ul>
  );
}
