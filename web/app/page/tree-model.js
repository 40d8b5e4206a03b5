/**
 * What the study tree shows, apart from the page: every opened file and DICOMDIR record placed
 * under its patient → study → series, each series' instances in instance-number order. A file
 * opened is placed at once (a binary search in its series), so a folder streaming in costs the
 * same per file however many are listed; only a DICOMDIR's arrival, or a close, regroups
 * everything, once.
 *
 * A DICOMDIR opened with its files shapes the tree: its records give the patients, studies,
 * series and instances and their labels, and each record is linked to the opened file at its
 * Referenced File ID (relative to the DICOMDIR's folder, compared ignoring case). Records
 * whose file was not opened are "missing"; opened files no DICOMDIR names are grouped from
 * their own headers, as without a DICOMDIR.
 * @module tree-model
 */

/**
 * @typedef {import('../shared/protocol.js').InstanceSummary} TreeInstance
 */

/**
 * An instance as the tree places it: an opened file, or a DICOMDIR record (linked to the
 * opened file it names, or `missing`). `groups` holds the study and series keys of records
 * without a UID. A missing record has no `geometry`.
 * @typedef {Omit<TreeInstance, 'instanceId'|'geometry'|'dicomdir'|'downloadName'> & {instanceId: ?string,
 *   geometry?: TreeInstance['geometry'], missing?: boolean,
 *   groups?: {study: string, series: string}}} TreeEntry
 */

/**
 * A patient, a study or a series.
 * @typedef {Object} Group
 * @property {string} key  unique in the tree: `p:`, `s:` or `e:` and the keys of its parents
 *   (files of other patients may share a study or series UID)
 * @property {1|2|3} level  patient, study, series
 * @property {TreeEntry} first  the first entry placed under it, which labels it
 * @property {Map<string, Group>} children  a patient's studies or a study's series, as placed
 * @property {TreeEntry[]} entries  a series' instances in instance-number order (else empty)
 * @property {number} size  the instances under it
 * @property {number} open  of which opened files (the others: DICOMDIR records not found)
 * @property {number} version  changes whenever an instance is placed under it
 * @property {?Group[]} sorted  a study's series by series number, as of `sortedAt`
 * @property {number} sortedAt
 */

/**
 * @typedef {Object} Directory
 * @property {string} fileName  the DICOMDIR's name as opened (its folder is the base of paths)
 * @property {import('../shared/protocol.js').DicomdirTree} tree
 */

/** @param {?number} n a number, or none: after every number */
const rank = (n) => n ?? Infinity;

/** @param {string} name @returns {string} the folder part of a relative path, with its '/' */
const folderOf = (name) => name.slice(0, name.lastIndexOf('/') + 1);

/**
 * Which DICOMDIR names a file when several in one folder do (pydicom's test folder has
 * variants side by side): one with the standard name first (the core says which), then by
 * name. The order files were opened in does not matter.
 * @param {Directory} a @param {Directory} b
 */
function byPriority(a, b) {
  const order = (/** @type {Directory} */ d) => (d.tree.standardName ? 0 : 1);
  return order(a) - order(b) || (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0);
}

/** @param {TreeEntry} s whether it is an opened file (not a DICOMDIR record without one) */
export const isOpen = (s) => !s.missing && s.instanceId !== null;

export class TreeModel {
  constructor() {
    /** @type {TreeInstance[]} the opened files, in the order they came */
    this.instances = [];
    /** @type {Directory[]} DICOMDIRs whose records shape the tree */
    this.directories = [];
    /** @type {Map<string, Group>} the patients, in the order they came */
    this.patients = new Map();
    /** @type {Map<string, Group>} every group, by key */
    this.groups = new Map();
    /** @type {Map<string, Group>} the series of each opened instance, by id */
    this.seriesOf = new Map();
    /** whether everything must be placed again before it is shown (see refresh) */
    this.stale = false;
  }

  /** @param {TreeInstance} instance */
  add(instance) {
    this.instances.push(instance);
    // A DICOMDIR may name it: its place then comes from the records (a regroup).
    if (this.directories.length) this.stale = true;
    else this.place(instance);
  }

  /**
   * @param {string} fileName the DICOMDIR's name as opened, e.g. `media/DICOMDIR`
   * @param {import('../shared/protocol.js').DicomdirTree} tree its records
   */
  addDirectory(fileName, tree) {
    this.directories.push({ fileName, tree });
    this.stale = true;
  }

  /** @param {Set<string>} gone ids of closed instances */
  forget(gone) {
    this.instances = this.instances.filter((s) => !gone.has(s.instanceId));
    this.stale = true;
  }

  /** Place everything again if a DICOMDIR came or files were closed since the last time. */
  refresh() {
    if (!this.stale) return;
    this.stale = false;
    this.patients.clear();
    this.groups.clear();
    this.seriesOf.clear();
    for (const entry of this.entries()) this.place(entry);
  }

  /**
   * The group at ``key`` in ``parent`` (made, labelled by ``entry``, if new).
   * @param {Map<string, Group>} parent @param {string} key @param {1|2|3} level @param {TreeEntry} entry
   * @returns {Group}
   */
  group(parent, key, level, entry) {
    let group = parent.get(key);
    if (!group) {
      group = {
        key, level, first: entry, children: new Map(), entries: [], size: 0, open: 0, version: 0,
        sorted: null, sortedAt: -1,
      };
      parent.set(key, group);
      this.groups.set(key, group);
    }
    return group;
  }

  /**
   * Put one entry in its series, after those with a lower or equal instance number (so equal
   * numbers keep the order they came in).
   * @param {TreeEntry} entry
   */
  place(entry) {
    const patientKey = `${entry.patient.id ?? ''}\u0000${entry.patient.name ?? ''}`;
    const studyUid = entry.study.uid ?? entry.groups?.study ?? `?${entry.instanceId}`;
    const seriesUid = entry.series.uid ?? entry.groups?.series ?? `?${entry.instanceId}`;
    const patient = this.group(this.patients, `p:${patientKey}`, 1, entry);
    const study = this.group(patient.children, `s:${patientKey}\u0000${studyUid}`, 2, entry);
    const series = this.group(study.children, `e:${patientKey}\u0000${studyUid}\u0000${seriesUid}`, 3, entry);
    const list = series.entries;
    const number = rank(entry.instance.number);
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (rank(list[middle].instance.number) <= number) low = middle + 1; else high = middle;
    }
    list.splice(low, 0, entry);
    const open = isOpen(entry);
    for (const group of [patient, study, series]) {
      group.size++;
      if (open) group.open++;
      group.version++;
    }
    if (open) this.seriesOf.set(/** @type {string} */ (entry.instanceId), series);
  }

  /**
   * A group's children in the order shown: a study's series by series number (then as they
   * came), a patient's studies as they came.
   * @param {Group} group
   * @returns {Group[]}
   */
  childrenOf(group) {
    if (group.level !== 2) return [...group.children.values()];
    if (group.sortedAt !== group.version) {
      group.sorted = [...group.children.values()]
        .sort((a, b) => (rank(a.first.series.number) - rank(b.first.series.number)) || 0);
      group.sortedAt = group.version;
    }
    return /** @type {Group[]} */ (group.sorted);
  }

  /**
   * Every series in tree order, with whether it and its parents are unfolded.
   * @param {function(string): boolean} [folded] whether the group with this key is folded
   * @returns {Generator<{series: Group, unfolded: boolean}>}
   */
  * series(folded = () => false) {
    for (const patient of this.patients.values()) {
      for (const study of this.childrenOf(patient)) {
        for (const series of this.childrenOf(study)) {
          yield { series, unfolded: !folded(patient.key) && !folded(study.key) && !folded(series.key) };
        }
      }
    }
  }

  /**
   * The opened instances in tree order.
   * @param {function(string): boolean} [folded] when given, those in folded groups are left out
   * @returns {string[]}
   */
  order(folded) {
    /** @type {string[]} */
    const ids = [];
    for (const { series, unfolded } of this.series(folded)) {
      if (!unfolded) continue;
      for (const s of series.entries) if (isOpen(s)) ids.push(/** @type {string} */ (s.instanceId));
    }
    return ids;
  }

  /**
   * The opened instances under a group, in tree order.
   * @param {Group} group
   * @returns {string[]}
   */
  openIds(group) {
    if (group.level === 3) {
      return group.entries.filter(isOpen).map((s) => /** @type {string} */ (s.instanceId));
    }
    return this.childrenOf(group).flatMap((child) => this.openIds(child));
  }

  /**
   * Every instance to show: the DICOMDIRs' records first (linked to the opened files they
   * name, or missing), then the opened files no DICOMDIR names.
   * @returns {TreeEntry[]}
   */
  entries() {
    /** @type {Map<string, TreeInstance>} */
    const byPath = new Map();
    for (const s of this.instances) {
      const key = s.fileName.toLowerCase();
      if (!byPath.has(key)) byPath.set(key, s);
    }
    /** @type {Set<TreeInstance>} */
    const placed = new Set();
    /** @type {Set<string>} */
    const named = new Set();
    /** @type {TreeEntry[]} */
    const out = [];
    for (const { fileName, tree } of [...this.directories].sort(byPriority)) {
      const base = folderOf(fileName);
      for (const p of tree.patients) {
        for (const st of p.studies) {
          for (const se of st.series) {
            for (const record of se.instances) {
              // No path: the core refused the record's file ID (it leaves the folder).
              const path = record.path === null ? '(invalid file ID)' : base + record.path;
              const key = path.toLowerCase();
              if (record.path !== null) {
                if (named.has(key)) continue; // named by a DICOMDIR before this one
                named.add(key);
              }
              const found = record.path === null ? undefined : byPath.get(key);
              if (found) placed.add(found);
              out.push({
                ...(found || {
                  fileName: path, sopClass: { uid: record.sopClassUid, name: null },
                  transferSyntax: { uid: null, name: null }, rows: null, columns: null,
                  frames: 0, fileSize: 0, hasFileMeta: false, notes: [], damaged: false,
                }),
                instanceId: found ? found.instanceId : null,
                missing: !found,
                patient: { name: p.name, id: p.id, birthDate: null, sex: null },
                study: {
                  uid: st.uid, date: st.date, description: st.description,
                  accessionNumber: st.accessionNumber,
                },
                series: { uid: se.uid, number: se.number, description: se.description },
                instance: {
                  uid: record.sopInstanceUid ?? found?.instance.uid ?? null,
                  number: record.number ?? found?.instance.number ?? null,
                },
                modality: se.modality ?? found?.modality ?? null,
                groups: { study: `${fileName}#${st.key}`, series: `${fileName}#${se.key}` },
              });
            }
          }
        }
      }
    }
    for (const s of this.instances) if (!placed.has(s)) out.push(s);
    return out;
  }
}
