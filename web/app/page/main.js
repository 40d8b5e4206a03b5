/**
 * The page: starts the worker, wires the first screen's tasks, the file inputs and drops
 * anywhere on the page, renders results, keeps the privacy status line live, and exposes the
 * automation API `window.dicomtab`.
 * @module main
 */
import { BOOT_STAGES, Event, READER_PORT, Request } from '../shared/protocol.js';
import { takeOver } from './start-worker.js';
import { WorkerClient, WorkerError } from './worker-client.js';
import { NetworkMonitor } from './network-monitor.js';
import { SITE_FILES } from './site-files.js';
import { enableOffline } from './offline.js';
import { instanceItem, privacyText, problemItem } from './views.js';
import {
  GrowingSources, expandArchives, fromDataTransfer, fromFileList, readySource,
} from './file-sources.js';
import { StudyTree } from './study-tree.js';
import { SeriesPreviews } from './series-previews.js';
import { Inspector } from './inspector/inspector.js';
import { Viewer } from './viewer/viewer.js';
import { wireHelp } from './help.js';
import { wirePanes } from './layout/panes.js';
import { Scope } from './deid/scope.js';
import { DeidPanel } from './deid/panel.js';
import { RECORD_JSON } from './deid/outputs.js';
import { deidentify } from './deid/api.js';
import { VerifyPanel } from './deid/verify-panel.js';
import { taskOf, wireDropAnywhere, wireTaskPickers } from './first-screen.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const network = new NetworkMonitor(SITE_FILES);
const { worker, early } = takeOver();
const client = new WorkerClient(worker, early);
let headReaderFailed = false;
const headReader = connectHeadReader(worker);
network.onChange(showPrivacy);
client.on(Event.NETWORK, ({ requests, blocked }) => {
  if (requests) network.add(requests);
  if (blocked) network.addBlocked(blocked);
});

/** @type {'pending'|'ready'|'unsupported'|'failed'} */
let offlineState = 'pending';
/** @type {import('../shared/protocol.js').InstanceSummary[]} */
const summaries = [];
/** @type {import('../shared/protocol.js').InstanceSummary[]} files refused as damaged, opened for the inspector */
const damagedSummaries = [];
/** @type {Array<{instanceId: string, fileName: string, downloadName: string}>} every instance in the tree, damaged ones too */
const inspectable = [];
/** Files out of folders and archives that were not DICOM (or empty), and DICOMDIRs read. */
const skipped = { notDicom: 0, dicomdir: 0, unsupportedZipEntries: 0 };
/**
 * Files the page asks the worker to open in one request once the first is shown, and how many
 * such requests it keeps in flight: the worker parses the next batch while the page adds the
 * last one to the tree. One message per file cost the page and the worker as much as parsing
 * the file (a folder of thousands); a batch of 8 answers within a few tenths of a second.
 */
const OPEN_BATCH = 8;
const BATCHES_IN_FLIGHT = 3;
/**
 * An archive's entries are inflated into memory when their turn comes: each goes alone, and
 * at most this many ahead, as before files were batched.
 */
const ENTRIES_IN_FLIGHT = 4;
/** The progress bar and its words change at most this often (each change repaints the page). */
const PROGRESS_EVERY_MS = 100;
/**
 * Files chosen in a picker from which the page suggests dragging instead: Chromium makes the
 * whole list before the page gets any of it (~0.2 ms a file, the page frozen meanwhile) and
 * each file costs the page a blocking call when handed to a worker; a dragged folder's files
 * come as they are listed, with neither (README, "Indexing a large folder").
 */
const MANY_PICKED = 1000;

/**
 * Start the head reader (app/worker/head-reader.js), which OPEN requests go through, and
 * connect it to the worker.
 * @param {Worker} python
 * @returns {Worker}
 */
function connectHeadReader(python) {
  const reader = new Worker(new URL('../worker/head-reader.js', import.meta.url), { type: 'module', name: 'dicomtab-files' });
  // One that could not start: files go to the worker itself, which then reads them itself.
  reader.addEventListener('error', () => { headReaderFailed = true; });
  const channel = new MessageChannel();
  python.postMessage({ type: READER_PORT }, [channel.port1]);
  reader.postMessage({ type: READER_PORT }, [channel.port2]);
  return reader;
}
/** The longest the tag table waits for the image of a newly selected instance. */
const TAGS_AFTER_MS = 300;

const inspector = new Inspector(client, () => inspectable);
const panes = wirePanes(/** @type {HTMLElement} */ (document.querySelector('#results .layout')));
const viewer = new Viewer(client, $('viewer'), {
  instances: () => summaries,
  damaged: () => damagedSummaries,
  // Scrolling the stack moves the selection too, so the tree and the tags follow the image.
  onNavigate: (id) => { if (studyTree.selected !== id) studyTree.select(id); },
  // Boxes drawn with the Redact tool go to the de-identification panel as a template.
  onRedactionTemplate: (file) => deidPanel.addRegions(file),
});
wireHelp(/** @type {HTMLDialogElement} */ ($('help')),
  [/** @type {HTMLElement} */ ($('viewer').querySelector('[data-testid="viewer-help"]'))]);
// What a de-identification takes: everything open unless unticked in the tree.
const scope = new Scope(() => {
  studyTree.showScopeState();
  deidPanel.showScope();
});
const studyTree = new StudyTree($('study-tree'), (id) => {
  // The image first: the worker answers in order, and the tag table's requests (the PHI
  // summary, then the whole tree) would otherwise hold the frame back. The tags follow once
  // the image is drawn, or after TAGS_AFTER_MS if drawing takes longer (a large multi-frame).
  // While numpy still loads the tags go at once: the worker reads them in the meantime.
  const drawn = viewer.show(id);
  const waited = new Promise((resolve) => { setTimeout(resolve, pixelsLoaded ? TAGS_AFTER_MS : 0); });
  Promise.race([drawn, waited]).finally(() => {
    if (studyTree.selected === id) inspector.show(id);
  });
}, (ids) => { inspector.compareSeries(ids); }, scope, (ids) => {
  inspector.studyPhi.open({ instanceIds: ids, label: 'This study' });
}, (ids) => {
  const focused = document.activeElement;
  closeInstances(ids).then(() => {
    // Closed from the keyboard: the focus goes on to the row shown next, not to the page's top.
    if (focused && !focused.isConnected) studyTree.focusSelected();
  }, (/** @type {any} */ error) => {
    $('problems').append(problemItem(error.code ? error.message : 'The files could not be closed.'));
  });
});
new SeriesPreviews(client, $('study-tree'));
const deidPanel = new DeidPanel(client, $('deid'), {
  tree: studyTree, scope, instances: () => summaries, damaged: () => damagedSummaries, openSources,
});
/** Release records opened among the files (skipped as not DICOM), for Verify. */
const releaseRecords = /** @type {Array<{name: string, text: string}>} */ ([]);
const verifyPanel = new VerifyPanel(client, $('verify'), () => releaseRecords);

const ready = new Promise((resolve, reject) => {
  client.on(Event.BOOT_PROGRESS, showStage);
  client.on(Event.BOOT_READY, (info) => {
    if (info.budgets) viewer.setFrameBudget(info.budgets.frames);
    $('boot').hidden = true;
    $('workspace').classList.remove('waiting');
    resolve(info);
  });
  client.on(Event.BOOT_FAILED, (error) => {
    $('boot-stage').textContent = error.message;
    $('boot').classList.add('failed');
    reject(new Error(error.message));
  });
});
// Stored once Python is up, not meanwhile: on a first visit the service worker's downloads of
// the whole build would compete with start-up (and fetch it all a second time).
const offline = ready.catch(() => {}).then(enableOffline).then((state) => {
  offlineState = state;
  showPrivacy();
  return state;
});
// numpy and the image codecs, loaded as soon as Python is up (while a user is still picking
// files), so that the first image rarely waits for them; a pixel request made sooner loads
// them itself. A file opened meanwhile is read between the loading's steps.
const pixelsReady = ready.then(() => client.request(Request.PREPARE_PIXELS, {}));
/** Whether numpy and the codecs are in (the image of a selection then comes quickly). */
let pixelsLoaded = false;
pixelsReady.then(() => { pixelsLoaded = true; }, () => {});
// The app has loaded once Python runs, its offline copy is stored and its image decoders are
// in; from then on every request, from the page or the worker, counts on the status line.
Promise.all([ready, offline, pixelsReady.catch(() => {})]).then(() => network.markLoaded(), () => {});

/** @param {{stage: string, label: string, fraction: number}} step */
function showStage(step) {
  $('boot-stage').textContent = step.label;
  /** @type {HTMLProgressElement} */ ($('boot-progress')).value = step.fraction;
}

document.querySelector('[data-testid=problems-dismiss-all]')?.addEventListener('click', () => {
  $('problems').replaceChildren();
});
// Forgetting every file for certain: the worker, and with it Python's whole memory, is ended,
// and the page starts afresh (from the offline copy when there is one).
document.querySelector('[data-testid=close-all]')?.addEventListener('click', () => {
  const count = summaries.length + damagedSummaries.length;
  if (!window.confirm(`Close all ${count} open file${count === 1 ? '' : 's'}? They are forgotten from this tab's memory; open them again to go on.`)) return;
  worker.terminate();
  location.reload();
});

/**
 * Close open instances (a file, a series, a study): the worker forgets them, then every part
 * of the page does; the viewer and inspector go on to the next open instance if they showed one.
 * @param {string[]} instanceIds
 * @returns {Promise<string[]>} the ids closed
 */
async function closeInstances(instanceIds) {
  await ready;
  if (deidPanel.running) {
    throw Object.assign(new Error('busy'), {
      code: 'busy', message: 'Files cannot be closed while a de-identification runs; wait for it or cancel it first.',
    });
  }
  /** @type {{closed: string[]}} */
  const { closed } = await client.request(Request.CLOSE, { instanceIds: [...instanceIds] });
  const gone = new Set(closed);
  for (const list of [summaries, damagedSummaries, inspectable]) {
    const kept = list.filter((s) => !gone.has(s.instanceId));
    list.splice(0, list.length, .../** @type {any[]} */ (kept));
  }
  for (const item of $('instances').querySelectorAll('[data-testid=instance]')) {
    if (gone.has(item.getAttribute('data-instance-id') || '')) item.remove();
  }
  for (const id of closed) carded.delete(id);
  scope.forget(closed);
  viewer.forget(closed);
  inspector.forget(closed);
  deidPanel.forget(closed);
  const next = studyTree.forget(closed);
  if (next) studyTree.select(next);
  showFirstScreen();  // the last file closed: back to the first screen
  return closed;
}

/**
 * The cards of "File summaries" (one per file, ~30 elements each) are made for the first
 * files as they open, and for the others only once the section is opened: a folder of 20,000
 * would otherwise add 600,000 elements nobody asked for, and cost the page about a fifth of its
 * time while the folder opens. The ids of the files with a card.
 * @type {Set<string>}
 */
const carded = new Set();
const CARDS_AHEAD = 200;
const summariesSection = /** @type {HTMLDetailsElement} */ ($('summaries'));

/** @param {import('../shared/protocol.js').InstanceSummary} summary */
function addSummaryCard(summary) {
  if (carded.size >= CARDS_AHEAD && !summariesSection.open) return;
  $('instances').append(instanceItem(summary));
  carded.add(summary.instanceId);
}

summariesSection.addEventListener('toggle', () => {
  if (!summariesSection.open) return;
  // Made in the order the files opened: those without a card all opened after those with one.
  const cards = document.createDocumentFragment();
  for (const summary of summaries) {
    if (carded.has(summary.instanceId)) continue;
    cards.append(instanceItem(summary));
    carded.add(summary.instanceId);
  }
  $('instances').append(cards);
});

/** The first screen while no file is open; the bar to open more (and the tasks) once some are. */
function showFirstScreen() {
  const anyOpen = inspectable.length > 0 || skipped.dicomdir > 0;
  $('first-screen').hidden = anyOpen;
  $('open-bar').hidden = !anyOpen;
}

function showPrivacy() {
  const counts = network.counts();
  const status = $('privacy-status');
  status.textContent = privacyText(counts, offlineState);
  // A request that reached another site is a warning, and looks like one.
  status.classList.toggle('warning', counts.crossOrigin > 0);
}

/**
 * @typedef {Object} OpenResult
 * @property {string} fileName
 * @property {'success'|'failed'|'skipped'} status  skipped: not DICOM, inside a folder or archive
 * @property {string} [instanceId]
 * @property {string} [damagedInstanceId] a damaged file's id for the inspector (`d1`, …)
 * @property {string} [code]
 * @property {string} [message]
 */

/**
 * @param {number} done
 * @param {number} total the files found so far
 * @param {boolean} [listing] more files may still be found (a dropped folder being listed)
 */
function showOpening(done, total, listing = false) {
  $('opening').hidden = done >= total && !listing;
  $('open-status').textContent = total === 0 && listing ? 'Looking for files…'
    : `Reading ${done} of ${total} files${listing ? ' found so far' : ''}…`;
  /** @type {HTMLProgressElement} */ ($('open-progress')).value = total ? done / total : Number(!listing);
}

function showSkipped() {
  const parts = [];
  if (skipped.notDicom) parts.push(`${skipped.notDicom} file${skipped.notDicom === 1 ? '' : 's'} in folders or archives skipped (not DICOM)`);
  if (skipped.unsupportedZipEntries) parts.push(`${skipped.unsupportedZipEntries} archive entries skipped (encrypted or unsupported compression)`);
  if (skipped.dicomdir) {
    const one = skipped.dicomdir === 1;
    parts.push(`${skipped.dicomdir} DICOMDIR${one ? '' : 's'} read (the tree is built from ${one ? 'its' : 'their'} records)`);
  }
  $('skipped').hidden = parts.length === 0;
  $('skipped').textContent = parts.join('; ');
}

/**
 * A file OPEN refused as truncated or damaged: open what can be read, for the inspector only.
 * @param {import('./file-sources.js').SourceFile} source
 * @returns {Promise<?string>} its id, or null
 */
async function openDamaged(source) {
  try {
    const bytes = await source.file.arrayBuffer();
    const summary = await client.request(Request.OPEN_DAMAGED, { name: source.name, bytes }, [bytes]);
    inspectable.push({ instanceId: summary.instanceId, fileName: source.name, downloadName: summary.downloadName });
    damagedSummaries.push(summary);
    studyTree.add(summary);
    return summary.instanceId;
  } catch {
    return null;
  }
}

/**
 * Let an opened DICOMDIR's records shape the study tree (Request.DICOMDIR).
 * @param {import('../shared/protocol.js').InstanceSummary} summary what OPEN returned for it
 * @param {string} name its name as opened: its folder is where its records' paths start
 * @returns {Promise<OpenResult>}
 */
async function useDicomdir(summary, name) {
  try {
    const tree = await client.request(Request.DICOMDIR, { instanceId: summary.instanceId });
    studyTree.addDirectory(name, tree);
    for (const note of tree.notes) $('problems').append(problemItem(`${name}: ${note}`));
    skipped.dicomdir++;
    return { fileName: name, status: 'skipped', code: 'dicomdir', instanceId: summary.instanceId };
  } catch (/** @type {any} */ error) {
    const code = error.code || 'read-failed';
    const message = error.code ? error.message : `${name} could not be read as a DICOMDIR.`;
    $('problems').append(problemItem(message));
    return { fileName: name, status: 'failed', code, message };
  }
}

/**
 * The sources as they come, each ZIP archive among them replaced by its entries (in place);
 * the archives that could not be read are reported and added to `results`.
 * @param {GrowingSources} picked
 * @param {OpenResult[]} results
 * @returns {GrowingSources}
 */
function expandingArchives(picked, results) {
  const out = new GrowingSources();
  (async () => {
    for (let seen = 0; !picked.done || seen < picked.items.length;) {
      await picked.beyond(seen);
      const found = /** @type {import('./file-sources.js').SourceFile[]} */ (picked.items.slice(seen));
      seen += found.length;
      const { files, unsupported, problems } = await expandArchives(found);
      skipped.unsupportedZipEntries += unsupported;
      for (const problem of problems) {
        $('problems').append(problemItem(problem.message));
        results.push({ ...problem, status: 'failed' });
      }
      out.push(files);
    }
    if (picked.incomplete) throw new Error('listing stopped');
  })().catch(() => {
    // The files found so far are opened; the user is told the list stopped short.
    const message = 'Part of the files chosen could not be listed by the browser; the files found before were opened.';
    $('problems').append(problemItem(message));
    results.push({ fileName: '', status: 'failed', code: 'read-failed', message });
  }).finally(() => out.finish());
  return out;
}

/**
 * Open files one after another (bounded memory; the tree grows as they come, with a progress
 * bar); a failure is reported and the rest go on. A list still growing (a dropped folder) is
 * opened as it is found.
 * @param {import('./file-sources.js').SourceFile[]|GrowingSources} picked
 * @param {boolean} [fromPicker] chosen in a file or folder picker (not dropped, not the API)
 * @returns {Promise<OpenResult[]>}
 */
async function openSources(picked, fromPicker = false) {
  await ready;
  // Stays until the next opening, so that it can be read once this one is done.
  $('open-tip').hidden = !(fromPicker && Array.isArray(picked) && picked.length >= MANY_PICKED);
  /** @type {OpenResult[]} */
  const results = [];
  const list = expandingArchives(picked instanceof GrowingSources ? picked : GrowingSources.of(picked), results);
  const sources = list.items;
  $('results').hidden = false;
  showOpening(0, sources.length, !list.done);
  studyTree.streaming = true;
  let lastPaint = performance.now();
  let lastProgress = lastPaint;
  // A few requests in flight, answered in order: the worker reads the next files while the
  // page adds the last ones to the tree, instead of each waiting for the other.
  /** @type {Array<Promise<{summary?: any, error?: any}>|undefined>} */
  const inFlight = [];
  // Each source as a File, once its turn came (an archive entry is sliced or inflated then).
  /** @type {import('./file-sources.js').SourceFile[]} */
  const opened = [];
  // Sources [from, to) in one request. The File itself (a handle, not its bytes): the worker
  // reads it, and reads it again whenever it dropped the bytes to stay within its budget.
  const request = (/** @type {number} */ from, /** @type {number} */ to) => {
    const answers = Promise.all(sources.slice(from, to).map((s) => readySource(s)
      .then((source) => ({ source, error: undefined }), (error) => ({ error, source: undefined }))))
      .then(async (ready) => {
        ready.forEach(({ source }, k) => { if (source) opened[from + k] = source; });
        const files = ready.flatMap(({ source }) => (source ? [{ name: source.name, file: source.file }] : []));
        // Through the head reader, which reads each file's first and last bytes on its way.
        /** @type {import('../shared/protocol.js').OpenOutcome[]} */
        const outcomes = files.length ? await client.request(Request.OPEN, { files }, [], headReaderFailed ? worker : headReader) : [];
        let next = 0;
        return ready.map(({ source, error }) => {
          if (!source) return { error };
          const outcome = outcomes[next++];
          return outcome.status === 'success'
            ? { summary: outcome.payload } : { error: new WorkerError(outcome.error) };
        });
      })
      .catch((error) => sources.slice(from, to).map(() => ({ error })));
    for (let i = from; i < to; i++) inFlight[i] = answers.then((all) => all[i - from]);
  };
  // One file at a time until the first image of the batch is drawn, whose requests would
  // otherwise queue behind the files opened ahead; then batches of several.
  let batch = studyTree.selected ? OPEN_BATCH : 1;
  /** @type {?string} the instance this batch showed first (while the rest streams in) */
  let shownFirst = null;
  /** the user's choices in the tree before it was shown (a choice since then is kept) */
  let choicesBefore = 0;
  let issued = 0;
  for (let index = 0; ; index++) {
    await list.beyond(index);
    if (index >= sources.length) break;
    if (index === 0) showOpening(0, sources.length, !list.done); // the files found: how many to read
    const source = sources[index];
    while (issued < sources.length) {
      const entry = !('file' in sources[issued]);
      if (issued >= index + (batch === 1 ? 1 : entry ? ENTRIES_IN_FLIGHT : batch * BATCHES_IN_FLIGHT)) break;
      let to = issued + 1;
      if (!entry) while (to < sources.length && to < issued + batch && 'file' in sources[to]) to++;
      request(issued, to);
      issued = to;
    }
    const answer = await /** @type {Promise<{summary?: any, error?: any}>} */ (inFlight[index]);
    inFlight[index] = undefined;
    try {
      if (answer.error) throw answer.error;
      const summary = answer.summary;
      // The core says which files are DICOMDIRs (their records shape the tree).
      if (summary.dicomdir) {
        results.push(await useDicomdir(summary, source.name));
      } else {
        summaries.push(summary);
        inspectable.push({ instanceId: summary.instanceId, fileName: source.name, downloadName: summary.downloadName });
        addSummaryCard(summary);
        studyTree.add(summary);
        results.push({ fileName: source.name, status: 'success', instanceId: summary.instanceId });
        if (!studyTree.selected) {
          shownFirst = summary.instanceId;
          choicesBefore = studyTree.choices;
          studyTree.select(summary.instanceId);
          const waited = new Promise((resolve) => { setTimeout(resolve, TAGS_AFTER_MS); });
          await Promise.race([viewer.show(summary.instanceId), waited]);
          batch = OPEN_BATCH;
        }
      }
    } catch (/** @type {any} */ error) {
      const code = error.code || 'read-failed';
      if (source.fromCollection && (code === 'not-dicom' || code === 'empty-file')) {
        if (source.name.split('/').pop() === RECORD_JSON) {
          releaseRecords.push({ name: source.name, text: await opened[index].file.text() });
        }
        skipped.notDicom++;
        results.push({ fileName: source.name, status: 'skipped', code });
      } else {
        const message = error.code ? error.message : `${source.name} could not be read by the browser.`;
        $('problems').append(problemItem(message));
        /** @type {OpenResult} */
        const result = { fileName: source.name, status: 'failed', code, message };
        if (error.inspectable && opened[index]) {
          const id = await openDamaged(opened[index]);
          if (id) result.damagedInstanceId = id;
        }
        results.push(result);
      }
    }
    if (index === 0 || performance.now() - lastProgress >= PROGRESS_EVERY_MS) {
      showOpening(index + 1, sources.length, !list.done);
      showFirstScreen();
      lastProgress = performance.now();
    }
    // Let the page paint now and then while a big folder streams in.
    if (performance.now() - lastPaint > 50) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastPaint = performance.now();
    }
  }
  showOpening(sources.length, sources.length);
  studyTree.streaming = false;
  studyTree.schedule(); // the previews of the series that grew
  showFirstScreen();
  // Not waited for: the batch is done, and ordering a long series takes the worker a while.
  const settled = shownFirst !== null && studyTree.selected === shownFirst
    && studyTree.choices === choicesBefore
    ? showFirstImage(shownFirst, choicesBefore) : viewer.refreshStack();
  settled.catch(() => {}); // the viewer shows its own errors
  showSkipped();
  inspector.fillCompareChoices();
  deidPanel.showScope();
  return results;
}

/**
 * Once a batch is in: show the first series of the tree at its first image (in slice order),
 * with its whole stack, unless the user chose another instance meanwhile.
 * @param {string} shownFirst the instance shown while the files came in
 * @param {number} choicesBefore the user's choices in the tree when it was shown
 */
async function showFirstImage(shownFirst, choicesBefore) {
  const images = new Set(summaries.filter((s) => s.rows).map((s) => s.instanceId));
  const first = (await studyTree.instanceIds()).find((id) => images.has(id));
  if (!first) return;
  const target = await viewer.firstOfSeries(first);
  // the user chose meanwhile (maybe the image already shown: it stays)
  if (studyTree.selected !== shownFirst || studyTree.choices !== choicesBefore) return;
  if (target !== shownFirst) studyTree.select(target);
  await viewer.show(target);
  await viewer.refreshStack();
}

/**
 * Open files exactly as the file input does (without its tip for many files).
 * @param {FileList|File[]} files
 * @returns {Promise<OpenResult[]>}
 */
function openFiles(files) {
  return openSources(fromFileList(files));
}

/**
 * @template {typeof Request.TAGS | typeof Request.PHI_SUMMARY} T
 * @param {string} instanceId
 * @param {T} type
 */
async function inspect(instanceId, type) {
  await ready;
  return client.request(type, { instanceId });
}

const input = /** @type {HTMLInputElement} */ ($('file-input'));
input.addEventListener('change', () => {
  openSources(fromFileList(input.files || []), true).finally(() => { input.value = ''; });
});
const folderInput = /** @type {HTMLInputElement} */ ($('folder-input'));
folderInput.addEventListener('change', () => {
  openSources(fromFileList(folderInput.files || []), true).finally(() => { folderInput.value = ''; });
});
const deidOpen = $('deid-open');
async function openDeidPanel() {
  await ready;
  deidOpen.setAttribute('aria-expanded', 'true');
  $('results').hidden = false;
  await deidPanel.open();
  $('deid').scrollIntoView({ block: 'start' });
}
deidOpen.addEventListener('click', openDeidPanel);
const verifyOpen = $('verify-open');
async function openVerifyPanel() {
  await ready;
  verifyOpen.setAttribute('aria-expanded', 'true');
  $('results').hidden = false;
  verifyPanel.open();
  $('verify').scrollIntoView({ block: 'start' });
}
verifyOpen.addEventListener('click', openVerifyPanel);

/**
 * Where each first-screen task takes the user once its files are open (the viewer shows the
 * first image and the tag table its file whatever the task: the task says which comes first).
 * @type {Record<import('./first-screen.js').Task, () => Promise<void>>}
 */
const TASKS = {
  view: async () => {
    $('viewer').scrollIntoView({ block: 'start' });
    /** @type {HTMLElement} */ ($('viewer').querySelector('[data-testid=viewer-stage]')).focus({ preventScroll: true });
  },
  inspect: async () => {
    panes.showTags();
    if (studyTree.selected) await inspector.show(studyTree.selected);
    $('inspector').scrollIntoView({ block: 'start' });
    $('tag-search').focus({ preventScroll: true });
  },
  deid: openDeidPanel,
  verify: openVerifyPanel,
};

/**
 * Open files into a task: the files first, then the task's view, when something opened.
 * @param {import('./file-sources.js').SourceFile[]|GrowingSources} sources
 * @param {?import('./first-screen.js').Task} task none: as the file inputs do
 * @param {boolean} [fromPicker] chosen in a file or folder picker
 */
async function openInto(sources, task, fromPicker = false) {
  const results = await openSources(sources, fromPicker);
  if (task && results.some((r) => r.status === 'success' || r.damagedInstanceId)) await TASKS[task]();
  return results;
}

wireTaskPickers($('first-screen'), {
  files: /** @type {HTMLInputElement} */ ($('task-file-input')),
  folder: /** @type {HTMLInputElement} */ ($('task-folder-input')),
}, (files, task) => { openInto(fromFileList(files), task, true); });
wireDropAnywhere($('drop-overlay'), (transfer, target) => {
  const task = taskOf(target);
  openInto(fromDataTransfer(transfer), task);
});
showStage(BOOT_STAGES[0]);
showPrivacy();

/**
 * The automation API, for integrators and this project's browser tests (see README).
 */
window.dicomtab = Object.freeze({
  /** Resolves when Python is loaded: {version, timings, budgets}. */
  ready,
  /** Resolves when the offline copy is stored: 'ready' | 'unsupported' | 'failed'. */
  offline,
  openFiles,
  /** @returns {import('../shared/protocol.js').InstanceSummary[]} summaries of the open instances */
  instances: () => structuredClone(summaries),
  /**
   * Close open instances as the study tree's × buttons do: forgotten by the worker and the page.
   * @param {string[]} instanceIds
   * @returns {Promise<string[]>} the ids closed (rejects with a WorkerError 'usage' for an id
   *   not open, and then none is closed)
   */
  close: (instanceIds) => closeInstances(instanceIds),
  /**
   * The worker's list of open instances (Request.INSTANCES), to check what it still holds.
   * @returns {Promise<import('../shared/protocol.js').InstanceSummary[]>}
   */
  workerInstances: () => ready.then(() => client.request(Request.INSTANCES, {})),
  /** @returns {import('./network-monitor.js').NetworkCounts} */
  network: () => network.counts(),
  /**
   * @param {string} instanceId
   * @returns {Promise<Object>} the instance in the DICOM JSON model (PS3.18 F), binary inline
   */
  tags: (instanceId) => inspect(instanceId, Request.TAGS),
  /**
   * @param {string} instanceId
   * @returns {Promise<import('../shared/protocol.js').PhiSummary>} counts per PHI category, pixel warnings
   */
  phiSummary: (instanceId) => inspect(instanceId, Request.PHI_SUMMARY),
  /**
   * Resolves when numpy and the image codecs are loaded, with each transfer syntax's codec.
   * @type {Promise<import('../shared/protocol.js').DecoderStatus[]>}
   */
  pixelsReady,
  /**
   * sha256 hex of a frame's decoded stored values, little endian, in the layout of pydicom's
   * pixel_array (rows × columns × samples): compare with CPython to check decoding parity.
   * @param {string} instanceId
   * @param {number} frameIndex from 0
   * @returns {Promise<string>}
   */
  frameDigest: async (instanceId, frameIndex) => {
    await ready;
    const { digest } = await client.request(Request.FRAME_DIGEST, { instanceId, index: frameIndex });
    return digest;
  },
  /**
   * A frame's decoded stored values as a .npy file (NumPy's format; same values and layout
   * as frameDigest hashes).
   * @param {string} instanceId
   * @param {number} frameIndex from 0
   * @returns {Promise<ArrayBuffer>}
   */
  frameValues: async (instanceId, frameIndex) => {
    await ready;
    const { buffer } = await client.request(Request.FRAME_NPY, { instanceId, index: frameIndex });
    return buffer;
  },
  /**
   * Where the text detector finds text in a frame (the viewer's suggestions): boxes in image
   * pixels, for that frame. The detector loads on the first call.
   * @param {string} instanceId
   * @param {number} frameIndex from 0
   * @returns {Promise<{boxes: Object[], detector: string}>}
   */
  detectText: async (instanceId, frameIndex) => {
    await ready;
    return client.request(Request.DETECT_TEXT, { instanceId, index: frameIndex });
  },
  /** The image viewer; `viewer.state` describes what it shows (window, zoom, frame, …). */
  viewer,
  /**
   * The worker's memory, for diagnostics and the bench.
   * @returns {Promise<{wasmMemory: number}>} bytes of Python's WebAssembly memory
   */
  memory: () => ready.then(() => client.request(Request.MEMORY, {})),
  /**
   * De-identify open instances into a ZIP download or a folder, exactly as the panel does.
   * @param {import('./deid/api.js').DeidentifyRequest} request
   */
  deidentify: async (request) => {
    await ready;
    return deidentify(request, deidPanel, summaries.map((s) => s.instanceId));
  },
  /**
   * `dicomtab verify` on the open de-identified files (those given, or all), against the
   * open originals and any release-record.json opened with them.
   * @param {string[]} [instanceIds]
   * @returns {Promise<import('../shared/protocol.js').Verification>}
   */
  verify: async (instanceIds) => {
    await ready;
    return verifyPanel.run(instanceIds ? [...instanceIds] : null);
  },
});
