/**
 * Globals of the dedicated workers (web/app/worker.js, web/app/inflate-worker.js). TypeScript's
 * webworker library types `self` as the WorkerGlobalScope every kind of worker shares, whose
 * events do not include `message`; these scripts only ever run as dedicated workers, where
 * `message` delivers a MessageEvent (DedicatedWorkerGlobalScopeEventMap).
 */

interface WorkerGlobalScopeEventMap {
  message: MessageEvent;
  messageerror: MessageEvent;
}
