// Shared helpers of the Node test suite: paths, the conformance vectors and
// their comparison rules (a faithful port of
// crates/slakit/tests/common/conformance.rs), and the CLI.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { isDeepStrictEqual } = require('node:util')

const PACKAGE_DIR = path.resolve(__dirname, '..')
const ROOT = path.resolve(PACKAGE_DIR, '..', '..')
const VECTORS_DIR = path.join(ROOT, 'tests', 'conformance')
const EXAMPLE_POLICY = path.join(ROOT, 'examples', 'policy.yaml')
const EXAMPLE_RECORDS = path.join(ROOT, 'examples', 'records.jsonl')

/** Every vector as [file name, parsed JSON], sorted by name. */
function loadVectors() {
  const names = fs
    .readdirSync(VECTORS_DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()
  if (names.length === 0) throw new Error(`no conformance vectors in ${VECTORS_DIR}`)
  return names.map((n) => [n, JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, n), 'utf8'))])
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** UTC milliseconds of an RFC 3339 instant, or null. */
function instantMs(s) {
  if (typeof s !== 'string' || !RFC3339.test(s)) return null
  const ms = Date.parse(s)
  return Number.isNaN(ms) ? null : ms
}

function asNumber(x) {
  return typeof x === 'bigint' ? Number(x) : x
}

/** JSON value equality (object key order does not matter, as for serde_json values). */
function jsonEqual(e, a) {
  return isDeepStrictEqual(e, a)
}

function sameValue(expected, actual, key) {
  const a = actual === undefined ? null : actual
  if (expected === null && a === null) return true
  if (typeof expected === 'number' && (typeof a === 'number' || typeof a === 'bigint')) {
    if (key === 'value' || key === 'consumed') return Math.abs(expected - asNumber(a)) < 5e-7
    return expected === asNumber(a)
  }
  if (
    typeof expected === 'string' &&
    typeof a === 'string' &&
    (key.endsWith('_at') || (key.startsWith('window_') && key !== 'window_state'))
  ) {
    const em = instantMs(expected)
    return (em !== null && em === instantMs(a)) || expected === a
  }
  return jsonEqual(expected, a)
}

/** A flat expectation key looked up in a report row. */
function rowField(row, key) {
  switch (key) {
    case 'window_start':
      return row.window?.start
    case 'window_end':
      return row.window?.end
    case 'window_state':
      return row.window?.state
    default:
      return key in row ? row[key] : row.counts?.[key]
  }
}

const show = (x) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))

/**
 * Compare what an entry point produced with a vector's expectations.
 * `outcome` is {report} or {error: {kind, message}}. Returns the list of
 * differences (empty = pass).
 */
function check(vector, outcome) {
  const diffs = []
  const expectError = vector.expect_error
  if (expectError && outcome.error) {
    const { kind, message } = outcome.error
    if (expectError.kind !== kind) {
      diffs.push(`error kind: expected ${show(expectError.kind)}, got ${kind} (${message})`)
    }
    for (const m of expectError.mentions ?? []) {
      if (!message.includes(m)) diffs.push(`error message ${show(message)} does not mention ${show(m)}`)
    }
    return diffs
  }
  if (expectError) return [`expected an error ${show(expectError)}, got a report`]
  if (outcome.error) return [`unexpected ${outcome.error.kind} error: ${outcome.error.message}`]

  const report = outcome.report
  const expect = vector.expect ?? {}
  const rows = Array.isArray(report.results) ? report.results : []
  if (Array.isArray(expect.results)) {
    if (expect.results.length !== rows.length) {
      diffs.push(
        `expected ${expect.results.length} result rows, got ${rows.length}: ` +
          rows.map((r) => `${show(r.sla)}@${show(r.window?.start)}${show(r.segment)}`).join(' '),
      )
    }
    for (const er of expect.results) {
      const ws = instantMs(er.window_start ?? '')
      const row = rows.find(
        (r) => jsonEqual(r.sla, er.sla) && instantMs(r.window?.start ?? '') === ws && jsonEqual(r.segment, er.segment),
      )
      if (!row) {
        diffs.push(`missing row sla=${show(er.sla)} window_start=${show(er.window_start)} segment=${show(er.segment)}`)
        continue
      }
      for (const [k, ev] of Object.entries(er)) {
        if (k === 'sla' || k === 'segment') continue
        if (!sameValue(ev, rowField(row, k), k)) {
          diffs.push(
            `row ${show(er.sla)} ${show(er.window_start)} ${show(er.segment)}: ${k} expected ${show(ev)}, got ${show(rowField(row, k) ?? null)}`,
          )
        }
      }
    }
  }
  if (Array.isArray(expect.deployments)) {
    const deps = Array.isArray(report.deployments) ? report.deployments : []
    const slas = new Set(expect.deployments.map((d) => d.sla).filter((s) => typeof s === 'string'))
    const actualCount = deps.filter((d) => typeof d.sla === 'string' && slas.has(d.sla)).length
    if (actualCount !== expect.deployments.length) {
      diffs.push(`expected ${expect.deployments.length} deployment entries for ${show([...slas].sort())}, got ${actualCount}`)
    }
    for (const ed of expect.deployments) {
      const d = deps.find((x) => jsonEqual(x.deployment, ed.deployment) && jsonEqual(x.sla, ed.sla))
      if (!d) {
        diffs.push(`missing deployment entry ${show(ed.deployment)} / ${show(ed.sla)}`)
        continue
      }
      for (const [k, ev] of Object.entries(ed)) {
        if (!sameValue(ev, d[k], k)) {
          diffs.push(`deployment ${show(ed.deployment)} / ${show(ed.sla)}: ${k} expected ${show(ev)}, got ${show(d[k] ?? null)}`)
        }
      }
    }
  }
  return diffs
}

/** The debug CLI binary, built on demand (`cargo build -q -p slakit-cli`). */
let cliPath = null
function cli() {
  if (cliPath) return cliPath
  execFileSync('cargo', ['build', '-q', '-p', 'slakit-cli'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { CARGO_BUILD_JOBS: '2', ...process.env },
  })
  const meta = JSON.parse(
    execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    }),
  )
  cliPath = path.join(meta.target_directory, 'debug', process.platform === 'win32' ? 'slakit.exe' : 'slakit')
  return cliPath
}

/**
 * Run the CLI; returns its stdout. Exit status 1 (a breach) and 2 (an
 * error, printed as JSON on stdout with --format json) also give stdout.
 */
function runCli(args) {
  try {
    return execFileSync(cli(), args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 })
  } catch (e) {
    if ((e.status === 1 || e.status === 2) && e.stdout) return e.stdout
    throw e
  }
}

/** The example records as plain objects (what a Node caller would hold). */
function exampleRecordObjects() {
  return fs
    .readFileSync(EXAMPLE_RECORDS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
}

module.exports = {
  PACKAGE_DIR,
  ROOT,
  VECTORS_DIR,
  EXAMPLE_POLICY,
  EXAMPLE_RECORDS,
  loadVectors,
  instantMs,
  check,
  cli,
  runCli,
  exampleRecordObjects,
}
