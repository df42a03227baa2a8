import type { ReactNode } from 'react';
import { cardClass } from '../ui/classes';
import { ThemeToggle } from '../ui/theme';

/** The frame of the signed-out pages: brand, a centred card, the theme toggle. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="flex min-h-full flex-col">
      <header className="flex items-center justify-between px-6 py-4">
        <span className="text-lg font-semibold tracking-tight">
          <span className="text-brand-600">●</span> OrbitDesk
        </span>
        <ThemeToggle />
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-10 pb-16 sm:pt-20">
        <div className={`${cardClass} w-full max-w-sm p-6 sm:p-8`}>
          <h1 className="mb-6 text-xl font-semibold">{title}</h1>
          {children}
        </div>
      </main>
    </div>
  );
}

export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p
      role="alert"
      data-testid="form-error"
      className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-900 dark:bg-red-950 dark:text-red-300"
    >
      {message}
    </p>
  );
}
