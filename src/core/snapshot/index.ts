/** The whole picture every face reads: an Engine's snapshot. */
export * from './engine';
