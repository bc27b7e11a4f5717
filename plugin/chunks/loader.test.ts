import { describe, expect, it } from 'vitest';
import { chunkFile, createChunkLoader, type InsertScript } from './loader';

// sha256('de chunk') and sha256('stats chunk'): 7b8e7e07c01b7365… and 8ff59f7d6f3df017…
const TABLE = { de: 'sha256-e45+B8Abc2WKudFw+0Zq+ifyvJjIkkn/WVh8UPgp/HE=', stats: 'sha256-j/WffW898Bfh6v02uYdTrq0mqx6O16UTT58TpNbJf48=' };
const BASE = 'https://mail.example.org/quarantine/';

/** A loader whose "scripts" run the given behaviour: define the chunk, fail to load, or run without defining. */
function setup(behave: (src: string) => 'define' | 'fail' | 'silent') {
  const inserted: { src: string; integrity: string }[] = [];
  const insert: InsertScript = async (src, integrity) => {
    inserted.push({ src, integrity });
    await Promise.resolve();
    const how = behave(src);
    if (how === 'fail') throw new Error(`could not load ${src}`);
    if (how === 'define') loader.define(/\.([a-z]+)\.[0-9a-f]{16}\.js$/.exec(src)![1]!, { from: src });
  };
  const loader = createChunkLoader(TABLE, () => BASE, insert);
  return { loader, inserted };
}

describe('the chunk loader', () => {
  it('names a chunk file by the first 16 hex digits of the SHA-256 its integrity carries, as the server does', () => {
    expect(chunkFile('de', TABLE.de)).toBe('amavis-quarantine.de.7b8e7e07c01b7365.js');
    expect(chunkFile('stats', TABLE.stats)).toBe('amavis-quarantine.stats.8ff59f7d6f3df017.js');
  });

  it('loads a chunk from beside the main script, with its integrity, and hands over what it defined', async () => {
    const { loader, inserted } = setup(() => 'define');
    await expect(loader.load('stats')).resolves.toEqual({ from: `${BASE}amavis-quarantine.stats.8ff59f7d6f3df017.js` });
    expect(inserted).toEqual([{ src: `${BASE}amavis-quarantine.stats.8ff59f7d6f3df017.js`, integrity: TABLE.stats }]);
  });

  it('inserts a chunk once, for callers at the same time and after', async () => {
    const { loader, inserted } = setup(() => 'define');
    const [a, b] = await Promise.all([loader.load('de'), loader.load('de')]);
    expect(a).toBe(b);
    expect(await loader.load('de')).toBe(a);
    expect(inserted).toHaveLength(1);
  });

  it('rejects a chunk that failed to load, and tries again on the next call', async () => {
    let fail = true;
    const { loader, inserted } = setup(() => (fail ? 'fail' : 'define'));
    await expect(loader.load('de')).rejects.toThrow(/could not load/);
    fail = false;
    await expect(loader.load('de')).resolves.toBeDefined();
    expect(inserted).toHaveLength(2);
  });

  it('rejects a script that ran without defining its chunk (another build answered), and a chunk not in the build', async () => {
    const { loader, inserted } = setup(() => 'silent');
    await expect(loader.load('de')).rejects.toThrow(/ran without defining itself/);
    await expect(loader.load('audit')).rejects.toThrow(/no chunk "audit" in this build/);
    expect(inserted).toHaveLength(1);
  });

  it('takes a chunk its script defined before it was asked for', async () => {
    const { loader, inserted } = setup(() => 'define');
    loader.define('stats', { early: true });
    await expect(loader.load('stats')).resolves.toEqual({ early: true });
    expect(inserted).toHaveLength(0);
  });
});
