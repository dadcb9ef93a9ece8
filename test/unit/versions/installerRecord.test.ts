import * as assert from 'node:assert/strict';
import type { FileStat } from '../../../src/core/machine/types';
import {
  RecordFs,
  recordedContent,
  recordedRow,
  recordFinder,
  recordRows,
} from '../../../src/core/versions/installerRecord';

const SP = '/v/lib/python3.11/site-packages';
const LIB = `${SP}/pyarrow/libarrow.so.2600`;
const RECORD = `${SP}/pyarrow-26.0.1.dist-info/RECORD`;
/** `sha256=` of the bytes `arrow` as a RECORD writes it (urlsafe base64, no padding), and as hex. */
const B64 = 'hk6jn-fisnFVop5G-5RY0F4syt5BUdArfIUbECV-2no';
const HEX = Buffer.from(B64, 'base64url').toString('hex');

const row = (rel: string, size = 5) => `${rel},sha256=${B64},${size}`;

/** A site-packages as a capture answers it: the files' stats, the RECORD's text, the folders' entries. */
function captured(stats: Record<string, Partial<FileStat>[]>, record: string): RecordFs {
  // Each stat answers the next of its list (the last one again): a file rewritten between two reads.
  const asked = new Map<string, number>();
  return {
    statSync: (p) => {
      const answers = stats[p];
      if (!answers) return undefined;
      const i = asked.get(p) ?? 0;
      asked.set(p, i + 1);
      return { kind: 'file', mtimeMs: 0, ctimeMs: 0, size: 0, ino: 1, ...answers[Math.min(i, answers.length - 1)] };
    },
    readdirSync: (p) =>
      p === SP ? ['pyarrow', 'pyarrow-26.0.1.dist-info'] : p === `${SP}/pyarrow` ? ['libarrow.so.2600'] : undefined,
    readTextSync: (p) => (p === RECORD ? record : undefined),
  };
}

describe("versions: an installed file's content as its installer's RECORD lists it", () => {
  it('reads the SHA-256 (as hex) and size a RECORD lists for a path, on any line, and nothing for another path or hash', () => {
    const record = [row('pyarrow/__init__.py', 9), row('pyarrow/libarrow.so.2600', 48696144), 'RECORD,,'].join('\r\n');
    const rows = recordRows(record);
    assert.deepEqual(recordedRow(rows.get('pyarrow/libarrow.so.2600')), { sha256: HEX, size: 48696144 });
    assert.deepEqual(recordedRow(rows.get('pyarrow/__init__.py')), { sha256: HEX, size: 9 });
    assert.equal(recordedRow(rows.get('pyarrow/libarrow.so')), undefined);
    assert.equal(recordedRow(rows.get('RECORD')), undefined);
    assert.equal(recordedRow(recordRows(`a.so,sha512=${B64}${B64},5\n`).get('a.so')), undefined);
    assert.equal(recordedRow(recordRows(`a.so,sha256=${B64},\n`).get('a.so')), undefined);
  });

  it('splits a RECORD into its rows by path in one pass: the first of a path written twice, quoted paths and lines without a path left out', () => {
    const rows = recordRows(
      [
        row('a.so', 1),
        '"b,c.py",sha256=x,2',
        row('a.so', 3),
        ',sha256=x,4',
        'd.txt,,',
        '',
        'no comma',
        row('e.so', 5),
      ].join('\n'),
    );
    assert.deepEqual(
      [...rows],
      [
        ['a.so', `sha256=${B64},1`],
        ['d.txt', ','],
        ['e.so', `sha256=${B64},5`],
      ],
    );
    assert.equal(recordRows('').size, 0);
  });

  it("reads each RECORD once for every file it is asked about, the distribution named like the file's folder first", async () => {
    const reads: string[] = [];
    const numpy = `${SP}/numpy-2.4.6.dist-info/RECORD`;
    const finder = recordFinder({
      statSync: () => ({ kind: 'file', mtimeMs: 0, ctimeMs: 0, size: 0, ino: 1 }),
      readdirSync: (p) => (p === SP ? ['numpy-2.4.6.dist-info', 'pyarrow', 'pyarrow-26.0.1.dist-info'] : undefined),
      readTextSync: (p) => {
        reads.push(p);
        return p === RECORD
          ? [row('pyarrow/libarrow.so.2600'), row('pyarrow/libparquet.so.2600', 7)].join('\n')
          : p === numpy
            ? row('numpy.libs/libopenblas.so', 9)
            : undefined;
      },
    });
    const found = await Promise.all(
      ['pyarrow/libarrow.so.2600', 'pyarrow/libparquet.so.2600', 'pyarrow/libarrow.so.2600'].map((f) =>
        finder(`${SP}/${f}`),
      ),
    );
    assert.deepEqual(
      found.map((l) => l && [l.info, l.rel, recordedRow(l.row)?.size]),
      [
        [`${SP}/pyarrow-26.0.1.dist-info`, 'pyarrow/libarrow.so.2600', 5],
        [`${SP}/pyarrow-26.0.1.dist-info`, 'pyarrow/libparquet.so.2600', 7],
        [`${SP}/pyarrow-26.0.1.dist-info`, 'pyarrow/libarrow.so.2600', 5],
      ],
    );
    assert.deepEqual(reads, [RECORD], "numpy's RECORD is not read for pyarrow's files");
    assert.equal((await finder(`${SP}/numpy.libs/libopenblas.so`))?.info, `${SP}/numpy-2.4.6.dist-info`);
    assert.equal(await finder(`${SP}/pyarrow/unlisted.so`), undefined);
    assert.deepEqual(reads, [RECORD, numpy], 'each RECORD read once, however many files are asked');
  });

  it('knows a file by its RECORD when its size is the listed one and it has not changed since the RECORD was written', async () => {
    const fs = captured(
      { [LIB]: [{ size: 5, ctimeMs: 1000, ino: 77 }], [RECORD]: [{ mtimeMs: 1000, ctimeMs: 1000, ino: 9 }] },
      `${row('pyarrow/libarrow.so.2600')}\n`,
    );
    assert.deepEqual(await recordedContent(fs)(LIB), { sha256: HEX, ino: 77 });
  });

  it('does not know a file by its RECORD when it changed after the RECORD was written, or has another size', async () => {
    const record = `${row('pyarrow/libarrow.so.2600')}\n`;
    const changedAfter = captured(
      { [LIB]: [{ size: 5, ctimeMs: 1001 }], [RECORD]: [{ mtimeMs: 1000, ctimeMs: 1000 }] },
      record,
    );
    assert.equal(await recordedContent(changedAfter)(LIB), undefined);
    // A RECORD whose modification time was set back (its change time cannot be): the earlier one counts.
    const recordSetBack = captured(
      { [LIB]: [{ size: 5, ctimeMs: 1000 }], [RECORD]: [{ mtimeMs: 500, ctimeMs: 2000 }] },
      record,
    );
    assert.equal(await recordedContent(recordSetBack)(LIB), undefined);
    const otherSize = captured(
      { [LIB]: [{ size: 6, ctimeMs: 1000 }], [RECORD]: [{ mtimeMs: 1000, ctimeMs: 1000 }] },
      record,
    );
    assert.equal(await recordedContent(otherSize)(LIB), undefined);
  });

  it('does not trust a RECORD rewritten after its text was read (an install under way)', async () => {
    const fs = captured(
      {
        [LIB]: [{ size: 5, ctimeMs: 1000 }],
        [RECORD]: [
          { mtimeMs: 1000, ctimeMs: 1000, ino: 9 },
          { mtimeMs: 3000, ctimeMs: 3000, ino: 10 },
        ],
      },
      `${row('pyarrow/libarrow.so.2600')}\n`,
    );
    assert.equal(await recordedContent(fs)(LIB), undefined);
  });
});
