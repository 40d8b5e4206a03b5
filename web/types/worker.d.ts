/**
 * Globals of the dedicated workers (web/app/worker/worker.js, web/app/worker/inflate-worker.js). TypeScript's
 * webworker library types `self` as the WorkerGlobalScope every kind of worker shares, whose
 * events do not include `message`; these scripts only ever run as dedicated workers, where
 * `message` delivers a MessageEvent (DedicatedWorkerGlobalScopeEventMap).
 */

interface WorkerGlobalScopeEventMap {
  message: MessageEvent;
  messageerror: MessageEvent;
}

/**
 * The Device Memory API (W3C): the device's memory in GB, rounded
 * (Chromium: 0.25 to 8); not in TypeScript's library, and absent in some browsers.
 */
interface WorkerNavigator {
  readonly deviceMemory?: number;
}
