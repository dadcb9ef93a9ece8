export * from './protocol';
export * from './server';
export * from './client';
