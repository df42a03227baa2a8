export * from './tenants.js';
export * from './users.js';
export * from './auth.js';
export * from './api-keys.js';
export * from './audit.js';
