// Tariff policies for the sample data: the package's sample YAML files, copied, with the market
// tariff's price change moved inside the data window so the run has a tariff change to cope with
// (the amount moves while the kWh do not: a classic false alarm for naive month-over-month rules).
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { isoDate } from '../calendar/index.js';

const MARKET_TARIFF_ID = 'RES-MKT';

export interface TariffChange {
  tariffId: string;
  /** ISO date the second price version takes effect. */
  effectiveFrom: string;
}

export interface WrittenTariffs {
  files: string[];
  change: TariffChange | null;
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then((s) => s.isDirectory(), () => false);
}

/** The market tariff with version 0 ending the day before `changeDay` and version 1 starting on it. */
export function movePriceChange(yamlText: string, changeDay: number, source: string): { text: string; changed: boolean } {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
  const versions = doc.get('versions');
  if (!isSeq(versions) || versions.items.length < 2 || !versions.items.slice(0, 2).every(isMap)) {
    return { text: yamlText, changed: false };
  }
  doc.setIn(['versions', 0, 'effective_to'], isoDate(changeDay - 1));
  doc.setIn(['versions', 1, 'effective_from'], isoDate(changeDay));
  return { text: doc.toString(), changed: true };
}

/** Copies every `*.yaml` of `sourceDir` to `outDir/tariffs`; a missing source copies nothing. */
export async function writeTariffs(sourceDir: string, outDir: string, changeDay: number): Promise<WrittenTariffs> {
  if (!(await isDirectory(sourceDir))) return { files: [], change: null };
  const names = (await readdir(sourceDir)).filter((n) => n.endsWith('.yaml')).sort();
  const target = path.join(outDir, 'tariffs');
  await mkdir(target, { recursive: true });
  const written: WrittenTariffs = { files: [], change: null };
  for (const name of names) {
    const source = path.join(sourceDir, name);
    let text = await readFile(source, 'utf8');
    if (name === `${MARKET_TARIFF_ID}.yaml`) {
      const moved = movePriceChange(text, changeDay, source);
      text = moved.text;
      if (moved.changed) written.change = { tariffId: MARKET_TARIFF_ID, effectiveFrom: isoDate(changeDay) };
    }
    const file = path.join(target, name);
    await writeFile(`${file}.${process.pid}`, text);
    await rename(`${file}.${process.pid}`, file);
    written.files.push(file);
  }
  return written;
}
