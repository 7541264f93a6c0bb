// ADVERSARIAL 38: a Rust panic never kills the Node process. A panic in the
// engine becomes an Error with code E900 (thrown, or a rejection when it
// happens on the thread pool); a panic anywhere else in an export is caught
// by napi's catch_unwind. The process goes on working either way.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const addon = require('..')
const { EXAMPLE_POLICY, EXAMPLE_RECORDS, PACKAGE_DIR } = require('./helpers')

const { Policy, __panicForTests, __panicForTestsAsync } = addon

// Rust prints each panic to stderr; a backtrace would only add noise here.
process.env.RUST_BACKTRACE = '0'

test('ADVERSARIAL 38: a panic in the engine is a thrown Error with code E900', () => {
  assert.throws(
    () => __panicForTests(),
    (e) => e instanceof Error && e.code === 'E900' && /forced panic/.test(e.message) && typeof e.kind === 'string',
  )
})

test('a panic in an export body is a thrown Error (napi catch_unwind)', () => {
  assert.throws(() => __panicForTests('export'), (e) => e instanceof Error && /forced panic in an export body/.test(e.message))
})

test('ADVERSARIAL 38: a panic on the thread pool rejects the promise with E900 (no hang)', async () => {
  const e = await __panicForTestsAsync().then(
    () => assert.fail('resolved'),
    (err) => err,
  )
  assert.ok(e instanceof Error)
  assert.equal(e.code, 'E900')
})

test('the process still works after the panics', async () => {
  const policy = Policy.load(EXAMPLE_POLICY)
  const [a, b] = await Promise.all([policy.evaluate(EXAMPLE_RECORDS), __panicForTestsAsync().catch((e) => e)])
  assert.ok(a.results.length > 0)
  assert.equal(b.code, 'E900')
  assert.deepStrictEqual(policy.evaluateSync(EXAMPLE_RECORDS), a)
})

test('ADVERSARIAL 38: a separate process that panics exits normally (no SIGABRT, no exit 134)', () => {
  const script = `
    const { __panicForTests, __panicForTestsAsync, version } = require(${JSON.stringify(PACKAGE_DIR)})
    const codes = []
    for (const mode of [undefined, 'engine', 'export']) {
      try { __panicForTests(mode) } catch (e) { codes.push(e.code) }
    }
    __panicForTestsAsync().catch((e) => {
      codes.push(e.code)
      console.log(JSON.stringify({ codes, version: version() }))
    })
  `
  const child = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, RUST_BACKTRACE: '0' },
  })
  assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`)
  assert.equal(child.status, 0, child.stderr)
  const out = JSON.parse(child.stdout)
  assert.deepEqual(out.codes, ['E900', 'E900', 'GenericFailure', 'E900'])
})
