import { createStore } from '../../src/store/create-store.js';
import { storeConformance } from './store-conformance.js';

// memory: keeps nothing across a reopen, so the persistence case is skipped (reason: in-process store).
storeConformance('memory', {
  open: async ({ clock, retention }) => createStore('memory:', retention ? { clock, retention } : { clock }),
});
