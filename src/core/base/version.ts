import pkg from '../../../package.json';

/** This build's version, as written in package.json (bundled into dist/ at build time). */
export const LIFEGUARD_VERSION: string = pkg.version;
