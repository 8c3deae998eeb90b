#!/usr/bin/env node
// Installs the Debian packages named on the command line that are missing: as root with
// `apt-get update` then `apt-get install --no-install-recommends`; otherwise prints the exact sudo
// command and exits 1. `make setup` calls it with the project's packages, `make bench` with
// python3-xgboost.
//   node scripts/apt-install.mjs libxgboost0 chromium ...
import { $ } from 'zx';

$.verbose = false;
const wanted = process.argv.slice(2);
const installed = async (pkg) => {
  const status = await $`dpkg-query -W -f=${'${Status}'} ${pkg}`.nothrow().quiet();
  return status.exitCode === 0 && status.stdout.trim() === 'install ok installed';
};
const missing = [];
for (const pkg of wanted) if (!(await installed(pkg))) missing.push(pkg);
if (missing.length === 0) process.exit(0);
if (process.getuid?.() !== 0) {
  console.error(`setup: missing Debian packages: ${missing.join(' ')}`);
  console.error(
    `setup: run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`,
  );
  process.exit(1);
}
console.error(`setup: installing Debian packages: ${missing.join(' ')}`);
try {
  // A new machine's package lists are empty: update first, or the install finds nothing.
  await $({ stdio: 'inherit' })`apt-get update -qq`;
  await $({
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })`apt-get install -y -qq --no-install-recommends ${missing}`;
} catch (error) {
  console.error(`setup: installing ${missing.join(' ')} failed (exit ${error.exitCode ?? '?'}); the reason is above`);
  process.exit(1);
}
