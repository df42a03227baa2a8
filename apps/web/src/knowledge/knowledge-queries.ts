import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import type {
  TCreateKnowledgeBaseRequest,
  TCreateKnowledgeSourceRequest,
  TKnowledgeBase,
  TKnowledgeBaseList,
  TKnowledgeSearchResponse,
  TKnowledgeSource,
  TKnowledgeSourcePage,
  TUpdateKnowledgeBaseRequest,
} from '@orbitdesk/shared';
import { api } from '../api/client';
import { anyInProgress } from './source-files';

export const knowledgeKeys = {
  list: ['knowledge-bases'] as const,
  base: (id: string) => ['knowledge-base', id] as const,
  sources: (id: string) => ['knowledge-sources', id] as const,
};

/** How often a base with sources still being indexed is asked again. */
export const SOURCE_POLL_MS = 1500;

export function useKnowledgeBases(enabled = true) {
  return useQuery({
    queryKey: knowledgeKeys.list,
    queryFn: async ({ signal }) => (await api<TKnowledgeBaseList>('/knowledge-bases', { signal })).items,
    enabled,
  });
}

type SourcePages = InfiniteData<TKnowledgeSourcePage, string | null>;

const sourcesInProgress = (data: SourcePages | undefined): boolean =>
  anyInProgress(data?.pages.flatMap((p) => p.items) ?? []);

/** Asked again with the sources while they are indexed: its chunk count moves with them. */
export function useKnowledgeBase(id: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: knowledgeKeys.base(id),
    queryFn: ({ signal }) => api<TKnowledgeBase>(`/knowledge-bases/${id}`, { signal }),
    refetchInterval: () =>
      sourcesInProgress(queryClient.getQueryData<SourcePages>(knowledgeKeys.sources(id)))
        ? SOURCE_POLL_MS
        : false,
  });
}

/** Polled while any source is waiting or being indexed, and left alone once all are ready or failed. */
export function useKnowledgeSources(id: string) {
  return useInfiniteQuery({
    queryKey: knowledgeKeys.sources(id),
    queryFn: ({ pageParam, signal }) =>
      api<TKnowledgeSourcePage>(`/knowledge-bases/${id}/sources`, {
        query: { cursor: pageParam ?? undefined, limit: 100 },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (query) => (sourcesInProgress(query.state.data) ? SOURCE_POLL_MS : false),
  });
}

/** A change to a base or its sources: the base, its sources and the list of bases are asked again. */
function useBaseWrite<V, O>(baseId: string, fn: (vars: V) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: knowledgeKeys.sources(baseId) }),
        queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(baseId) }),
        queryClient.invalidateQueries({ queryKey: knowledgeKeys.list }),
      ]),
  });
}

export function useCreateKnowledgeBase() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TCreateKnowledgeBaseRequest) =>
      api<TKnowledgeBase>('/knowledge-bases', { method: 'POST', body }),
    onSuccess: (base) => {
      queryClient.setQueryData(knowledgeKeys.base(base.id), base);
      return queryClient.invalidateQueries({ queryKey: knowledgeKeys.list });
    },
  });
}

export const useUpdateKnowledgeBase = (id: string) =>
  useBaseWrite(id, (body: TUpdateKnowledgeBaseRequest) =>
    api<TKnowledgeBase>(`/knowledge-bases/${id}`, { method: 'PATCH', body }),
  );

export function useDeleteKnowledgeBase(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<unknown>(`/knowledge-bases/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      // Dropped rather than refetched: asking for a deleted base would only answer 404.
      queryClient.removeQueries({ queryKey: knowledgeKeys.base(id) });
      queryClient.removeQueries({ queryKey: knowledgeKeys.sources(id) });
      return queryClient.invalidateQueries({ queryKey: knowledgeKeys.list });
    },
  });
}

export const useReindexKnowledgeBase = (id: string) =>
  useBaseWrite(id, () => api<unknown>(`/knowledge-bases/${id}/reindex`, { method: 'POST' }));

export const useAddKnowledgeSource = (id: string) =>
  useBaseWrite(id, (body: TCreateKnowledgeSourceRequest) =>
    api<TKnowledgeSource>(`/knowledge-bases/${id}/sources`, { method: 'POST', body }),
  );

export const useUploadKnowledgeFile = (id: string) =>
  useBaseWrite(id, (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api<TKnowledgeSource>(`/knowledge-bases/${id}/sources/upload`, { method: 'POST', form });
  });

export const useReindexKnowledgeSource = (id: string) =>
  useBaseWrite(id, (sourceId: string) =>
    api<TKnowledgeSource>(`/knowledge-bases/${id}/sources/${sourceId}/reindex`, { method: 'POST' }),
  );

export const useDeleteKnowledgeSource = (id: string) =>
  useBaseWrite(id, (sourceId: string) =>
    api<unknown>(`/knowledge-bases/${id}/sources/${sourceId}`, { method: 'DELETE' }),
  );

export function useSearchKnowledge(id: string) {
  return useMutation({
    mutationFn: (query: string) =>
      api<TKnowledgeSearchResponse>(`/knowledge-bases/${id}/search`, {
        method: 'POST',
        body: { query, topK: 5 },
      }),
  });
}
