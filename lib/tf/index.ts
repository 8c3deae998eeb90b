// The public names of lib/tf: what code outside the folder (and its tests) imports.
export { tfjs } from './backend';
