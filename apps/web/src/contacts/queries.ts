import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TContact,
  TContactImport,
  TContactPage,
  TCreateContactRequest,
  TUpdateContactRequest,
} from '@orbitdesk/shared';
import { api } from '../api/client';
import { listQuery, type ContactFilters } from './filters';

export const contactKeys = {
  lists: ['contacts'] as const,
  list: (filters: ContactFilters) => ['contacts', filters] as const,
  contact: (id: string) => ['contact', id] as const,
  import: (id: string) => ['contact-import', id] as const,
};

export function useContactList(filters: ContactFilters) {
  return useInfiniteQuery({
    queryKey: contactKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api<TContactPage>('/contacts', {
        query: { ...listQuery(filters), cursor: pageParam ?? undefined, limit: 50 },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useContactDetails(id: string | undefined) {
  return useQuery({
    queryKey: contactKeys.contact(id ?? ''),
    queryFn: ({ signal }) => api<TContact>(`/contacts/${id}`, { signal }),
    enabled: Boolean(id),
  });
}

/** After any write the lists are refetched: a changed name or tag can move a contact in or out of them. */
function useContactWrite<V>(fn: (vars: V) => Promise<TContact>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (contact) => {
      queryClient.setQueryData(contactKeys.contact(contact.id), contact);
      await queryClient.invalidateQueries({ queryKey: contactKeys.lists });
    },
  });
}

export const useCreateContact = () =>
  useContactWrite((body: TCreateContactRequest) => api<TContact>('/contacts', { method: 'POST', body }));

export const useUpdateContact = (id: string) =>
  useContactWrite((body: TUpdateContactRequest) =>
    api<TContact>(`/contacts/${id}`, { method: 'PATCH', body }),
  );

/** Merges `sourceId` into `survivorId`; the source is deleted by the API. */
export const useMergeContacts = () =>
  useContactWrite(({ survivorId, sourceId }: { survivorId: string; sourceId: string }) =>
    api<TContact>(`/contacts/${survivorId}/merge`, { method: 'POST', body: { sourceId } }),
  );

export function startImport(file: File, defaultCountry: string): Promise<TContactImport> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api<TContactImport>('/contacts/import', {
    method: 'POST',
    form,
    query: { defaultCountry: defaultCountry.trim() || undefined },
  });
}

/** The worker's progress, polled while it runs and left alone once it has finished. */
export function useImportProgress(started: TContactImport | null) {
  return useQuery({
    queryKey: contactKeys.import(started?.id ?? ''),
    queryFn: ({ signal }) => api<TContactImport>(`/contacts/imports/${started?.id}`, { signal }),
    enabled: Boolean(started),
    initialData: started ?? undefined,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 500 : false),
  });
}
