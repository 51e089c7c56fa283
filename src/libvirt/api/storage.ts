/** The storage calls of the typed API: pools and the volumes create-from-form and migration use. */
import { Proc } from '../procedures.ts';
import type { StoragePoolRef, StorageVolRef } from '../types.ts';
import type { ApiConstructor } from './base.ts';

/** Adds the storage calls to the API. */
export function withStorage<B extends ApiConstructor>(Base: B) {
  abstract class StorageCalls extends Base {
    /** Creates and starts a transient storage pool (flags: BUILD 1 makes its directory). */
    createStoragePool(xml: string, flags = 0): Promise<StoragePoolRef> {
      return this.call(Proc.STORAGE_POOL_CREATE_XML, { xml, flags });
    }

    /** Rescans a pool so files made behind libvirt's back become volumes. */
    refreshStoragePool(pool: StoragePoolRef): Promise<void> {
      return this.call(Proc.STORAGE_POOL_REFRESH, { pool, flags: 0 });
    }

    /** The active pool whose target is this directory (error 49 when none). */
    lookupStoragePoolByTargetPath(path: string): Promise<StoragePoolRef> {
      return this.call(Proc.STORAGE_POOL_LOOKUP_BY_TARGET_PATH, path);
    }

    /** Looks a storage pool up by name (error 49 when missing). */
    lookupStoragePool(name: string): Promise<StoragePoolRef> {
      return this.call(Proc.STORAGE_POOL_LOOKUP_BY_NAME, name);
    }

    /** Looks a volume up by name in a pool (error 50 when missing). */
    lookupStorageVol(pool: StoragePoolRef, name: string): Promise<StorageVolRef> {
      return this.call(Proc.STORAGE_VOL_LOOKUP_BY_NAME, { pool, name });
    }

    /** Looks a volume up by its path on the host (error 50 when no pool holds it). */
    lookupStorageVolByPath(path: string): Promise<StorageVolRef> {
      return this.call(Proc.STORAGE_VOL_LOOKUP_BY_PATH, path);
    }

    /** A volume's XML: path, capacity, format and backing store. */
    storageVolXml(vol: StorageVolRef): Promise<string> {
      return this.call(Proc.STORAGE_VOL_GET_XML_DESC, { vol, flags: 0 });
    }

    /** Creates a volume in a pool from volume XML. */
    createStorageVol(pool: StoragePoolRef, xml: string, flags = 0): Promise<StorageVolRef> {
      return this.call(Proc.STORAGE_VOL_CREATE_XML, { pool, xml, flags });
    }

    /** Deletes a volume. */
    deleteStorageVol(vol: StorageVolRef, flags = 0): Promise<void> {
      return this.call(Proc.STORAGE_VOL_DELETE, { vol, flags });
    }

    /** A volume's path on the host. */
    storageVolPath(vol: StorageVolRef): Promise<string> {
      return this.call(Proc.STORAGE_VOL_GET_PATH, vol);
    }
  }
  return StorageCalls;
}
