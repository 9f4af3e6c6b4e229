/** `Buffer` for the few places of packages/shared that use it (esbuild `inject`, build.mjs). */
export { Buffer } from 'buffer';
