import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';

/**
 * Where one linked device's auth state lives, as plain strings by key. The host decides how they are kept (the
 * API encrypts each value and stores it in Postgres); this package only decides what the strings are.
 */
export interface AuthKeyStore {
  /** The values that exist among `keys`; missing keys are simply absent from the map. */
  read(keys: string[]): Promise<Map<string, string>>;
  /** Writes every entry in one go; `null` deletes the key. */
  write(entries: Map<string, string | null>): Promise<void>;
  /** Forgets the device entirely (after a logout): the next connection starts with a new QR code. */
  clear(): Promise<void>;
}

export interface StoredAuthState {
  state: AuthenticationState;
  /** Persists `state.creds`; Baileys mutates them in place and announces it with `creds.update`. */
  saveCreds(): Promise<void>;
}

const CREDS_KEY = 'creds';

/** `pre-key/12`, `session/1234@s.whatsapp.net.0`: the Signal key type, then Baileys' id for the key. */
const signalKey = (type: string, id: string) => `${type}/${id}`;

/** Buffers and Uint8Arrays survive JSON only through Baileys' own replacer and reviver. */
const serialize = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
const deserialize = <T>(raw: string): T => JSON.parse(raw, BufferJSON.reviver) as T;

/**
 * Baileys' AuthenticationState on top of an AuthKeyStore: the creds under one key, every Signal key (pre-keys,
 * sessions, sender keys, app-state keys) under `type/id`. A store with no creds yields fresh ones, which is what
 * makes Baileys show a QR code.
 */
export async function loadAuthState(store: AuthKeyStore): Promise<StoredAuthState> {
  const stored = (await store.read([CREDS_KEY])).get(CREDS_KEY);
  const creds: AuthenticationCreds = stored ? deserialize<AuthenticationCreds>(stored) : initAuthCreds();
  return {
    state: {
      creds,
      keys: {
        async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
          const found = await store.read(ids.map((id) => signalKey(type, id)));
          const result: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const id of ids) {
            const raw = found.get(signalKey(type, id));
            if (raw === undefined) continue;
            const value = deserialize<SignalDataTypeMap[T]>(raw);
            // App-state keys are protobuf messages; Baileys reads them through the generated class.
            result[id] =
              type === 'app-state-sync-key'
                ? (proto.Message.AppStateSyncKeyData.fromObject(
                    value as object,
                  ) as unknown as SignalDataTypeMap[T])
                : value;
          }
          return result;
        },
        async set(data: SignalDataSet) {
          const entries = new Map<string, string | null>();
          for (const [type, values] of Object.entries(data)) {
            for (const [id, value] of Object.entries(values ?? {})) {
              entries.set(signalKey(type, id), value ? serialize(value) : null);
            }
          }
          if (entries.size) await store.write(entries);
        },
        clear: () => store.clear(),
      },
    },
    saveCreds: () => store.write(new Map([[CREDS_KEY, serialize(creds)]])),
  };
}
