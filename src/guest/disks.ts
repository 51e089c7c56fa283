/** The disks of a domain as its XML lists them: where each one's data is and in what format. */
import { element, elements } from './xml.ts';

/** One `<disk>`: where its data is and whether a storage copy would move it. */
export interface DiskInfo {
  target: string;
  type: string;
  device: string;
  /** A host path (file or block device), null for network disks or empty drives. */
  path: string | null;
  /** For type='volume': the pool and volume it names. */
  volume: { pool: string; name: string } | null;
  readonly: boolean;
  /** The image format libvirt opens it with (driver type: qcow2, raw...), null when the XML omits it. */
  format: string | null;
}

/** Every disk of a domain XML. */
export function parseDisks(domainXml: string): DiskInfo[] {
  return elements(domainXml, 'disk').map((d) => {
    const source = element(d.inner, 'source')?.attrs ?? {};
    const type = d.attrs.type ?? 'file';
    const volume = type === 'volume' && source.pool && source.volume ? { pool: source.pool, name: source.volume } : null;
    return {
      target: element(d.inner, 'target')?.attrs.dev ?? '?',
      type,
      device: d.attrs.device ?? 'disk',
      path: type === 'file' ? source.file ?? null : type === 'block' ? source.dev ?? null : null,
      volume,
      readonly: /<readonly\s*\/>/.test(d.inner) || d.attrs.device === 'cdrom',
      format: element(d.inner, 'driver')?.attrs.type ?? null,
    };
  });
}
