import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TChannel,
  TChannelTestResult,
  TChannelWithSecret,
  TCreateChannelRequest,
  TUpdateChannelRequest,
  TWhatsAppQrStatus,
} from '@orbitdesk/shared';
import { api } from '../../api/client';
import { keys } from '../../inbox/queries';

const channelKey = (id: string) => ['settings', 'channel', id] as const;
const qrKey = (id: string) => ['settings', 'whatsapp-qr', id] as const;

export function useChannel(id: string) {
  return useQuery({
    queryKey: channelKey(id),
    queryFn: ({ signal }) => api<TChannel>(`/channels/${id}`, { signal }),
  });
}

/** The inbox list is shared with the inbox pages (names, filter), so every change refreshes it. */
function useChannelMutation<I, O extends TChannel | void>(fn: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (channel) => {
      if (channel) queryClient.setQueryData(channelKey(channel.id), channel);
      await queryClient.invalidateQueries({ queryKey: keys.channels });
    },
  });
}

export const useCreateChannel = () =>
  useChannelMutation((body: TCreateChannelRequest) =>
    api<TChannelWithSecret>('/channels', { method: 'POST', body }),
  );

export const useUpdateChannel = (id: string) =>
  useChannelMutation((body: TUpdateChannelRequest) =>
    api<TChannel>(`/channels/${id}`, { method: 'PATCH', body }),
  );

export const useDeleteChannel = () =>
  useChannelMutation(async (id: string) => {
    await api<TChannel>(`/channels/${id}`, { method: 'DELETE' });
  });

export const useRotateInboundSecret = (id: string) =>
  useChannelMutation(() => api<TChannelWithSecret>(`/channels/${id}/rotate-secret`, { method: 'POST' }));

export function useTestChannel(id: string) {
  return useMutation({
    mutationFn: () => api<TChannelTestResult>(`/channels/${id}/test`, { method: 'POST' }),
  });
}

/** Polled while a link is under way: the QR code changes every few seconds until the phone scans it. */
export function useWhatsAppQrStatus(id: string) {
  return useQuery({
    queryKey: qrKey(id),
    queryFn: ({ signal }) => api<TWhatsAppQrStatus>(`/channels/${id}/whatsapp-qr/status`, { signal }),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'connecting' || status === 'qr' ? 3000 : false;
    },
  });
}

export function useLinkWhatsAppQr(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<TWhatsAppQrStatus>(`/channels/${id}/whatsapp-qr/link`, { method: 'POST' }),
    onSuccess: (status) => queryClient.setQueryData(qrKey(id), status),
  });
}
