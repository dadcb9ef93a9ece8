/** The whole picture every face reads: `takeSnapshot`. */
export * from './build';
