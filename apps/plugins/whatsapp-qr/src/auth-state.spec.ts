import { describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import { loadAuthState } from './auth-state.js';
import { MemoryAuthKeyStore } from './testing/memory-auth-store.js';

describe('loadAuthState', () => {
  it('starts with fresh creds (a QR code) when nothing is stored', async () => {
    const store = new MemoryAuthKeyStore();
    const { state } = await loadAuthState(store);
    expect(state.creds.me).toBeUndefined();
    expect(state.creds.noiseKey.public).toBeInstanceOf(Uint8Array);
    expect(store.values.size).toBe(0);
  });

  it('saves creds with their binary keys and reads back equal ones', async () => {
    const store = new MemoryAuthKeyStore();
    const first = await loadAuthState(store);
    first.state.creds.me = { id: '14155550100:3@s.whatsapp.net', name: 'Acme' };
    await first.saveCreds();
    const raw = store.values.get('creds')!;
    // Binary keys are kept as base64, not as arrays of numbers.
    expect(raw).toContain('"type":"Buffer"');
    const second = await loadAuthState(store);
    expect(second.state.creds.me).toEqual({ id: '14155550100:3@s.whatsapp.net', name: 'Acme' });
    expect(Buffer.from(second.state.creds.noiseKey.private)).toEqual(
      Buffer.from(first.state.creds.noiseKey.private),
    );
    expect(second.state.creds.registrationId).toBe(first.state.creds.registrationId);
  });

  it('stores Signal keys by type and id, returns only those that exist, and deletes on null', async () => {
    const store = new MemoryAuthKeyStore();
    const { state } = await loadAuthState(store);
    const keyPair = { public: Buffer.from([1, 2, 3]), private: Buffer.from([4, 5, 6]) };
    await state.keys.set({
      'pre-key': { '1': keyPair, '2': keyPair },
      session: { 'a@s.whatsapp.net.0': Buffer.from('s') },
    });
    expect([...store.values.keys()].sort()).toEqual(['pre-key/1', 'pre-key/2', 'session/a@s.whatsapp.net.0']);

    const got = await state.keys.get('pre-key', ['1', '3']);
    expect(Object.keys(got)).toEqual(['1']);
    expect(Buffer.from(got['1']!.public)).toEqual(Buffer.from([1, 2, 3]));

    await state.keys.set({ 'pre-key': { '1': null } });
    expect(await state.keys.get('pre-key', ['1'])).toEqual({});
    expect(store.values.has('pre-key/2')).toBe(true);
  });

  it('revives app-state sync keys as protobuf messages', async () => {
    const store = new MemoryAuthKeyStore();
    const { state } = await loadAuthState(store);
    const data = proto.Message.AppStateSyncKeyData.fromObject({
      keyData: Buffer.from('key-bytes'),
      timestamp: 7,
    });
    await state.keys.set({ 'app-state-sync-key': { AAAA: data } });
    const got = (await state.keys.get('app-state-sync-key', ['AAAA'])).AAAA!;
    expect(got).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(got.keyData!).toString()).toBe('key-bytes');
  });

  it('clear() forgets everything', async () => {
    const store = new MemoryAuthKeyStore();
    const auth = await loadAuthState(store);
    await auth.saveCreds();
    await auth.state.keys.set({ 'pre-key': { '1': { public: Buffer.alloc(1), private: Buffer.alloc(1) } } });
    await auth.state.keys.clear!();
    expect(store.values.size).toBe(0);
  });
});
