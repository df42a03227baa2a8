import { vi } from 'vitest';
import { WhatsAppQrDriver } from '../../src/modules/channels/whatsapp-qr/whatsapp-qr.driver.js';
import { WhatsAppQrSupervisor } from '../../src/modules/channels/whatsapp-qr/whatsapp-qr.supervisor.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { FakeWhatsApp } from '../fakes/baileys-socket.js';

/**
 * A worker whose linked-device connections reach the fake WhatsApp instead of WhatsApp's servers: its Baileys
 * driver (the one seam to the outside) is replaced before any inbox exists.
 */
export async function startWorkerWithFakeWhatsApp(
  config: AppConfig,
  whatsapp = new FakeWhatsApp(),
): Promise<{ worker: RunningWorker; whatsapp: FakeWhatsApp; sync: () => Promise<void> }> {
  const worker = await startWorker(config);
  const driver = worker.app.get(WhatsAppQrDriver);
  vi.spyOn(driver, 'connect').mockImplementation((options) => whatsapp.connect(options));
  vi.spyOn(driver, 'downloadMedia').mockImplementation((message) => whatsapp.downloadMedia(message));
  const supervisor = worker.app.get(WhatsAppQrSupervisor);
  return { worker, whatsapp, sync: () => supervisor.sync() };
}
