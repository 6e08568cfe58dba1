/**
 * The dashboard's static files (plain HTML, CSS and framework-free JS in src/server/dashboard/),
 * read once. They are looked up next to this module (dist/server/dashboard/ after the build
 * step copies them) and, failing that, in the package's src/server/dashboard/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
  contentType: string;
  body: string;
}

const DASHBOARD_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

function dashboardDirCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'dashboard'), resolve(here, '../../src/server/dashboard')];
}

/** The assets by file name, or null when no candidate directory holds them all. */
export function loadDashboardAssets(dirs: readonly string[] = dashboardDirCandidates()): Map<string, DashboardAsset> | null {
  const dir = dirs.find((d) => Object.keys(DASHBOARD_FILES).every((f) => existsSync(join(d, f))));
  if (!dir) return null;
  return new Map(
    Object.entries(DASHBOARD_FILES).map(([file, contentType]) => [file, { contentType, body: readFileSync(join(dir, file), 'utf8') }]),
  );
}
