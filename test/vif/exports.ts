/** Re-exports for the cross-check test (keeps its imports short). */
export { objects } from '../../src/vif/index.js';
export { pythonName } from './vectors.js';
