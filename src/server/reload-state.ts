/** What the server knows about config reloads (SIGHUP), shown in /v1/status. */
interface ReloadError {
  at: number;
  code: string;
  message: string;
  /** Every config problem with its path, when the new config failed validation. */
  problems: { path: string; message: string }[];
}

export interface ReloadState {
  /** Reloads attempted since start. */
  attempts: number;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  /** Set while the last attempt failed: the previous config keeps running. */
  error: ReloadError | null;
  /** Settings changed by a reload that only take effect after a restart. */
  pendingRestart: string[];
}

export const initialReloadState = (): ReloadState => ({
  attempts: 0,
  lastAttemptAt: null,
  lastSuccessAt: null,
  error: null,
  pendingRestart: [],
});
