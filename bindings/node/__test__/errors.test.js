// Errors are thrown Errors (rejections for the promise-returning methods)
// with the stable `code`, the `kind`, and each part of the location that
// is known — the same code, kind and location as the CLI's JSON error.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Policy } = require('..')
const { EXAMPLE_POLICY, EXAMPLE_RECORDS, runCli, ROOT } = require('./helpers')

const policy = Policy.load(EXAMPLE_POLICY)

/** The error `f` throws, checked to be a slakit error. */
function thrown(f) {
  try {
    f()
  } catch (e) {
    assert.ok(e instanceof Error, `not an Error: ${e}`)
    assert.match(e.code, /^E\d{3}$/)
    assert.ok(['policy', 'input', 'usage'].includes(e.kind), `kind ${e.kind}`)
    assert.equal(typeof e.stack, 'string')
    return e
  }
  assert.fail('no error was thrown')
}


/** Only the own properties that carry the error contract. */
function contract(e) {
  const out = { code: e.code, kind: e.kind }
  for (const k of ['file', 'line', 'column', 'recordIndex', 'path']) if (e[k] !== undefined) out[k] = e[k]
  return out
}

function tmpFile(t, name, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slakit-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, name)
  fs.writeFileSync(file, text)
  return file
}

test('a bad duration in YAML: E104, kind policy, JSON pointer', () => {
  const text = 'slakit: 1\nname: x\nslas:\n  - id: a\n    clock: {start: merged, stop: succeeded}\n    window: month\n    targets: {default: {max: 4x, objective: 90%}}\n'
  const e = thrown(() => Policy.fromYaml(text))
  assert.equal(e.code, 'E104')
  assert.equal(e.kind, 'policy')
  assert.equal(e.path, '/slas/0/targets/default/max')
  assert.match(e.message, /`4x`/)
  // The message is the core's: no code appended, lowercase.
  assert.doesNotMatch(e.message, /E104/)
})

test('policy syntax errors carry line and column', () => {
  const yaml = thrown(() => Policy.fromYaml('slakit: 1\nname: [x\n'))
  assert.equal(yaml.code, 'E100')
  assert.equal(yaml.line, 2)
  assert.equal(typeof yaml.column, 'number')
  const json = thrown(() => Policy.fromJson('{"slakit": 1,\n "name": }'))
  assert.deepEqual(contract(json), { code: 'E100', kind: 'policy', line: 2, column: 10, path: '/name' })
})

test('fromObject locates by path only, and refuses what JSON cannot hold', () => {
  const e = thrown(() => Policy.fromObject({ slakit: 1, nme: 'x' }))
  assert.deepEqual(contract(e), { code: 'E101', kind: 'policy', path: '/nme' })
  assert.match(e.message, /did you mean `name`/)
  const nan = thrown(() => Policy.fromObject({ slakit: 1, name: NaN }))
  assert.deepEqual(contract(nan), { code: 'E100', kind: 'policy', path: '/name' })
  const notObject = thrown(() => Policy.fromObject([1]))
  assert.equal(notObject.kind, 'policy')
  const cycle = { slakit: 1 }
  cycle.self = cycle
  assert.equal(thrown(() => Policy.fromObject(cycle)).code, 'E100')
  // The same document as JSON text: the same code, message and pointer;
  // only the text has a line and column.
  const doc = {
    slakit: 1,
    name: 'x',
    slas: [{ id: 'a', clock: { start: 'merged', stop: 'succeeded' }, window: 'month', targets: { default: { max: '4x', objective: '90%' } } }],
  }
  for (const bad of [doc, { ...doc, slas: [{ ...doc.slas[0], window: 5 }] }, { ...doc, gates: { blackouts: [{ id: 'b' }] } }]) {
    const fromObject = thrown(() => Policy.fromObject(bad))
    const fromJson = thrown(() => Policy.fromJson(JSON.stringify(bad)))
    assert.equal(fromObject.line, undefined)
    assert.equal(fromObject.column, undefined)
    assert.ok(fromObject.path, `${fromObject.message} has no path`)
    assert.deepEqual(
      { code: fromObject.code, kind: fromObject.kind, message: fromObject.message, path: fromObject.path },
      { code: fromJson.code, kind: fromJson.kind, message: fromJson.message, path: fromJson.path },
    )
  }
})

test('load: a missing file is E302 (usage) naming it; errors inside a file name it', (t) => {
  const missing = thrown(() => Policy.load('/nonexistent/slakit/policy.yaml'))
  assert.deepEqual(contract(missing), { code: 'E302', kind: 'usage', file: '/nonexistent/slakit/policy.yaml' })
  const file = tmpFile(t, 'bad.yaml', 'slakit: 1\nname: x\nbogus: 1\n')
  const e = thrown(() => Policy.load(file))
  assert.equal(e.code, 'E101')
  assert.equal(e.file, file)
  assert.equal(e.line, 3)
})

test('the same error as the CLI JSON error document', (t) => {
  const file = tmpFile(t, 'records.jsonl', '{"deployment":"d","event":"merged","time":"2026-03-02T10:00:00Z","service":"checkout"}\n\n{"deployment":"d","event":"started","time":"2026-03-02 10:00"}\n')
  const e = thrown(() => policy.evaluateSync(file))
  const cli = JSON.parse(runCli(['evaluate', '--policy', EXAMPLE_POLICY, '--records', file, '--format', 'json']).trim() || '{}')
  assert.ok(cli.error, 'the CLI reports an error')
  assert.equal(e.code, cli.error.code)
  assert.equal(e.kind, cli.error.kind)
  assert.equal(e.message, cli.error.message)
  const loc = cli.error.location
  assert.deepEqual(
    { file: e.file, line: e.line, column: e.column, recordIndex: e.recordIndex, path: e.path },
    { file: loc.file, line: loc.line, column: loc.column, recordIndex: loc.record_index, path: loc.path },
  )
  assert.deepEqual(contract(e), { code: 'E203', kind: 'input', file, line: 3, recordIndex: 1, path: '/time' })
})

test('records as objects: the record index and the field', () => {
  const e = thrown(() =>
    policy.evaluateSync([
      { deployment: 'd', event: 'merged', time: '2026-03-02T10:00:00Z', service: 'checkout' },
      { deployment: 'd', event: 'started', time: 'yesterday' },
    ]),
  )
  assert.deepEqual(contract(e), { code: 'E203', kind: 'input', recordIndex: 1, path: '/time' })
  const missing = thrown(() => policy.evaluateSync([{ event: 'merged', time: '2026-03-02T10:00:00Z' }]))
  assert.deepEqual(contract(missing), { code: 'E201', kind: 'input', recordIndex: 0, path: '/deployment' })
  const conflict = thrown(() =>
    policy.evaluateSync([
      { deployment: 'd', event: 'merged', time: '2026-01-01T00:00:00Z', service: 'a' },
      { deployment: 'd', event: 'started', time: '2026-01-01T00:00:00Z', service: 'b' },
    ]),
  )
  assert.equal(conflict.code, 'E205')
  assert.equal(conflict.recordIndex, 1)
})

test('values JSON cannot hold are refused with E200 where they are', () => {
  const rec = (extra) => [{ deployment: 'd', event: 'merged', time: '2026-03-02T10:00:00Z', service: 'checkout', ...extra }]
  assert.deepEqual(contract(thrown(() => policy.evaluateSync(rec({ attrs: { x: Infinity } })))), {
    code: 'E200',
    kind: 'input',
    recordIndex: 0,
    path: '/attrs/x',
  })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync(rec({ attrs: { 'a/b': [1, 2n ** 70n] } })))), {
    code: 'E200',
    kind: 'input',
    recordIndex: 0,
    path: '/attrs/a~1b/1',
  })
  const cyclic = { n: 1 }
  cyclic.self = cyclic
  assert.equal(thrown(() => policy.evaluateSync(rec({ attrs: cyclic }))).code, 'E200')
  assert.deepEqual(contract(thrown(() => policy.evaluateSync([null]))), { code: 'E200', kind: 'input', recordIndex: 0 })
})

test('usage errors: records of the wrong type, a bad asOf, no asOf to default to, an unknown deployment', () => {
  assert.deepEqual(contract(thrown(() => policy.evaluateSync(42))), { code: 'E303', kind: 'usage' })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync({}))), { code: 'E303', kind: 'usage' })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync([], 'yesterday'))), { code: 'E300', kind: 'usage' })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync([], '2026-03-02T10:00:00'))), { code: 'E300', kind: 'usage' })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync([], new Date(NaN)))), { code: 'E300', kind: 'usage' })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync([], 1767225600000))), { code: 'E300', kind: 'usage' })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync([], new Date('+100000-01-01T00:00:00Z')))), {
    code: 'E300',
    kind: 'usage',
  })
  assert.deepEqual(contract(thrown(() => policy.evaluateSync([]))), { code: 'E301', kind: 'usage' })
  assert.deepEqual(contract(thrown(() => policy.explain(EXAMPLE_RECORDS, 'no-such-deployment'))), {
    code: 'E304',
    kind: 'usage',
  })
  const io = thrown(() => policy.evaluateSync(path.join(ROOT, 'no-such-records.jsonl')))
  assert.equal(io.code, 'E302')
  assert.equal(io.file, path.join(ROOT, 'no-such-records.jsonl'))
})

test('the promise-returning methods reject (never throw) with the same errors', async () => {
  const cases = [
    [() => policy.evaluate(42), { code: 'E303', kind: 'usage' }],
    [() => policy.evaluate([], 'yesterday'), { code: 'E300', kind: 'usage' }],
    [() => policy.evaluate([]), { code: 'E301', kind: 'usage' }],
    [() => policy.evaluate([{ deployment: 'd', event: 'merged', time: 'x' }]), { code: 'E203', kind: 'input', recordIndex: 0, path: '/time' }],
    [() => policy.evaluate([{ deployment: 'd', event: 'merged', time: NaN }]), { code: 'E200', kind: 'input', recordIndex: 0, path: '/time' }],
    [() => policy.evaluate('/nonexistent/records.jsonl'), { code: 'E302', kind: 'usage', file: '/nonexistent/records.jsonl' }],
    [() => policy.explainAsync(EXAMPLE_RECORDS, 'no-such-deployment'), { code: 'E304', kind: 'usage' }],
  ]
  for (const [call, expected] of cases) {
    let promise
    assert.doesNotThrow(() => {
      promise = call()
    })
    const e = await promise.then(
      () => assert.fail(`resolved: ${call}`),
      (err) => err,
    )
    assert.ok(e instanceof Error)
    assert.deepEqual(contract(e), expected, String(call))
  }
})

test('every code is documented in docs/errors.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8')
  for (const code of ['E100', 'E101', 'E104', 'E200', 'E201', 'E203', 'E205', 'E300', 'E301', 'E302', 'E303', 'E304', 'E900']) {
    assert.ok(doc.includes(code), `${code} is not in docs/errors.md`)
  }
})
