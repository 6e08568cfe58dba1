import { openStore } from '../../src/store/open-store.js';
import { storeConformance } from './store-conformance.js';

// memory: keeps nothing across a reopen, so the persistence case is skipped (reason: in-process store).
storeConformance('memory', {
  open: async ({ clock, retention }) => openStore('memory:', retention ? { clock, retention } : { clock }),
});
