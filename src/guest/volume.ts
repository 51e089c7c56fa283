/** Storage volume XML: the facts of a base image, and the copy-on-write overlay made on it. */
import { element, escapeXml, textOf } from './xml.ts';

/** What the create step needs to know about a volume. */
export interface VolumeFacts {
  name: string;
  path: string;
  capacityBytes: bigint;
  format: string | null;
  backingPath: string | null;
  backingFormat: string | null;
}

const UNITS: Record<string, bigint> = {
  b: 1n, bytes: 1n, k: 1024n, kib: 1024n, kb: 1000n, m: 1024n ** 2n, mib: 1024n ** 2n, mb: 1000n ** 2n,
  g: 1024n ** 3n, gib: 1024n ** 3n, gb: 1000n ** 3n, t: 1024n ** 4n, tib: 1024n ** 4n, tb: 1000n ** 4n,
};

function capacityOf(xml: string): bigint {
  const el = element(xml, 'capacity');
  if (!el) return 0n;
  const unit = UNITS[(el.attrs.unit ?? 'bytes').toLowerCase()] ?? 1n;
  return BigInt(el.inner.trim() || '0') * unit;
}

/** Reads a volume's XML (STORAGE_VOL_GET_XML_DESC). */
export function parseVolumeXml(xml: string): VolumeFacts {
  const [own, backing = ''] = xml.split(/<backingStore[\s>]/, 2);
  const target = element(own ?? '', 'target')?.inner ?? '';
  return {
    name: textOf(xml, 'name') ?? '',
    path: textOf(target, 'path') ?? '',
    capacityBytes: capacityOf(own ?? ''),
    format: element(target, 'format')?.attrs.type ?? null,
    backingPath: textOf(backing, 'path'),
    backingFormat: element(backing, 'format')?.attrs.type ?? null,
  };
}

/** Volume XML for a qcow2 overlay named `name` whose backing store is the base volume. */
export function overlayVolumeXml(name: string, base: VolumeFacts): string {
  const backingFormat = base.format ?? 'raw';
  return `<volume><name>${escapeXml(name)}</name>`
    + `<capacity unit='bytes'>${base.capacityBytes}</capacity>`
    + `<target><format type='qcow2'/></target>`
    + `<backingStore><path>${escapeXml(base.path)}</path><format type='${escapeXml(backingFormat)}'/></backingStore>`
    + '</volume>';
}
