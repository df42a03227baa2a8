import { ConfigError, loadConfig } from './config/app-config.js';
import { loadDotenv } from './config/dotenv.js';
import { createApp } from './bootstrap.js';

loadDotenv();
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    // One line per problem, naming the variable, and nothing else: this is what an operator reads first.
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const app = await createApp(config);
await app.listen({ port: config.PORT, host: '0.0.0.0' });
