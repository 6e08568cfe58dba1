// Builds the container image (test/harness/container.ts) before the tests, so the build does not
// compete with them for the CPU; test/deploy/container.test.ts then finds its layers cached.
// Run with `node --import tsx`. Where podman cannot run containers it says why and exits 0: the
// container test prints the same reason and skips.
import { buildImage, containerSkipReason } from '../test/harness/container.ts';

const skip = containerSkipReason();
if (skip) {
  console.log(`container image not built: ${skip}`);
} else {
  const started = Date.now();
  await buildImage();
  console.log(`container image built in ${Math.round((Date.now() - started) / 1000)} s`);
}
