// docs/node.md's examples run: every ```js block marked `<!-- tested: … -->`
// is executed with `require('slakit')` resolving to this package (and each
// `console.log(…) // text` must print that text); every marked ```ts block
// is type-checked with tsc.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { PACKAGE_DIR, ROOT } = require('./helpers')

const doc = fs.readFileSync(path.join(ROOT, 'docs', 'node.md'), 'utf8')
const blocks = [...doc.matchAll(/<!-- tested:[^>]*-->\n```(js|ts)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang, code }))

/** A scratch folder where `slakit` resolves to this package. */
function sandbox(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slakit-docs-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(PACKAGE_DIR, path.join(dir, 'node_modules', 'slakit'), 'dir')
  return dir
}

test('docs/node.md has a tested quickstart in JS and in TS', () => {
  assert.ok(blocks.some((b) => b.lang === 'js'), 'no tested js block')
  assert.ok(blocks.some((b) => b.lang === 'ts'), 'no tested ts block')
  assert.match(doc, /## Quickstart/)
})

blocks
  .filter((b) => b.lang === 'js')
  .forEach(({ code }, i) => {
    test(`docs/node.md js example ${i + 1} runs and prints what its comments say`, (t) => {
      const dir = sandbox(t)
      const file = path.join(dir, `example-${i + 1}.js`)
      fs.writeFileSync(file, code)
      // The examples use paths relative to the repository root.
      const run = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' })
      assert.equal(run.status, 0, `exit ${run.status}\n${run.stderr}`)
      const promised = [...code.matchAll(/console\.log\(.*\)\s*\/\/\s*(.+)$/gm)].map(([, text]) => text.trim())
      assert.ok(promised.length > 0, 'the example promises no output')
      for (const text of promised) assert.ok(run.stdout.includes(text), `the output lacks ${JSON.stringify(text)}:\n${run.stdout}`)
    })
  })

blocks
  .filter((b) => b.lang === 'ts')
  .forEach(({ code }, i) => {
    test(`docs/node.md ts example ${i + 1} type-checks`, (t) => {
      const dir = sandbox(t)
      fs.writeFileSync(path.join(dir, `example-${i + 1}.ts`), code)
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: 'es2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            types: ['node'],
            typeRoots: [path.join(PACKAGE_DIR, 'node_modules', '@types')],
            skipLibCheck: false,
          },
          files: [`example-${i + 1}.ts`],
        }),
      )
      const tsc = path.join(PACKAGE_DIR, 'node_modules', 'typescript', 'bin', 'tsc')
      const run = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' })
      assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`)
    })
  })
