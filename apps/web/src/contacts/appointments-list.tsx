import type { TAppointment } from '@orbitdesk/shared';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { fullTime } from '../ui/format';
import { ErrorState, Spinner } from '../ui/states';
import { upcomingAppointments } from './appointments';

export function useAppointments(contactId: string) {
  return useQuery({
    queryKey: ['contact-appointments', contactId],
    queryFn: ({ signal }) =>
      api<{ items: TAppointment[] }>(`/contacts/${contactId}/appointments`, { signal }),
    select: (list) => list.items,
  });
}

/** The contact's upcoming appointments (booked by an AI agent or by hand), soonest first. */
export function AppointmentsList({ contactId }: { contactId: string }) {
  const appointments = useAppointments(contactId);
  const [now] = useState(Date.now);
  return (
    <section className="flex flex-col gap-2" aria-label="Upcoming appointments" data-testid="appointments">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Upcoming appointments
      </h3>
      {appointments.isPending ? (
        <Spinner label="Loading appointments" />
      ) : appointments.isError ? (
        <ErrorState error={appointments.error} onRetry={() => void appointments.refetch()} />
      ) : (
        (() => {
          const upcoming = upcomingAppointments(appointments.data, now);
          if (upcoming.length === 0)
            return <p className="text-sm text-slate-500 dark:text-slate-400">None booked.</p>;
          return (
            <ul className="flex flex-col gap-2">
              {upcoming.map((a) => (
                <li
                  key={a.id}
                  className="rounded-md border border-slate-200 px-3 py-2 text-sm dark:border-slate-700"
                  data-testid="appointment"
                >
                  <p className="font-medium">{a.title}</p>
                  <p className="text-xs text-slate-500 dark:text-slate-400">
                    <time dateTime={a.startsAt}>{fullTime(a.startsAt)}</time> · {a.durationMinutes} min
                    {a.createdBy.startsWith('agent:') ? ' · booked by an AI agent' : ''}
                  </p>
                  {a.notes && <p className="mt-1 text-xs whitespace-pre-wrap">{a.notes}</p>}
                </li>
              ))}
            </ul>
          );
        })()
      )}
    </section>
  );
}
