export * from './tenants.js';
export * from './users.js';
export * from './auth.js';
export * from './api-keys.js';
export * from './audit.js';
export * from './contacts.js';
export * from './channels.js';
export * from './conversations.js';
