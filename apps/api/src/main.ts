import { loadProcessConfig } from './config/dotenv.js';
import { createApp } from './bootstrap.js';

const config = loadProcessConfig();
const app = await createApp(config);
await app.listen({ port: config.PORT, host: '0.0.0.0' });
