import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KmsError, KmsErrorCode } from './kms.errors';

export const MASTER_KEY_FILE_NAME = 'master.key';
export const MASTER_KEY_BYTES = 32;

const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_DIR = 0o700;
const GROUP_OR_OTHER_BITS = 0o077;

export function masterKeyPath(dataDir: string): string {
  return join(dataDir, MASTER_KEY_FILE_NAME);
}

/** Reads `<dataDir>/master.key`, creating it (mode 0600) with 32 random bytes on first use. */
export async function loadOrCreateMasterKey(dataDir: string): Promise<Buffer> {
  const path = masterKeyPath(dataDir);
  const existing = await readMasterKey(path);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const created = await createMasterKey(path);
  return created ?? readRequiredMasterKey(path);
}

async function readRequiredMasterKey(path: string): Promise<Buffer> {
  const key = await readMasterKey(path);
  if (!key) throw new KmsError(KmsErrorCode.MasterKeyFileInvalid, `Local KMS master key file ${path} disappeared while opening it`);
  return key;
}

async function readMasterKey(path: string): Promise<Buffer | undefined> {
  const file = await open(path, 'r').catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new KmsError(KmsErrorCode.MasterKeyFileInvalid, `Cannot open local KMS master key file ${path}: ${errnoCode(error)}`);
  });
  if (!file) return undefined;
  try {
    const stats = await file.stat();
    const mode = stats.mode & 0o777;
    if ((mode & GROUP_OR_OTHER_BITS) !== 0) {
      throw new KmsError(
        KmsErrorCode.MasterKeyFileInsecure,
        `Refusing to use local KMS master key file ${path}: it is accessible by group or others ` +
          `(mode ${mode.toString(8).padStart(4, '0')}); run \`chmod 600 ${path}\``,
      );
    }
    if (stats.size !== MASTER_KEY_BYTES) {
      throw new KmsError(
        KmsErrorCode.MasterKeyFileInvalid,
        `Local KMS master key file ${path} must hold exactly ${MASTER_KEY_BYTES} bytes, found ${stats.size}`,
      );
    }
    const key = Buffer.alloc(MASTER_KEY_BYTES);
    await file.read(key, 0, MASTER_KEY_BYTES, 0);
    return key;
  } finally {
    await file.close();
  }
}

/**
 * Returns undefined when another process created the file first. The key is written to a file of
 * this process's own and linked into place whole: a replica starting at the same moment on the same
 * volume never reads a file that exists but is still empty.
 */
async function createMasterKey(path: string): Promise<Buffer | undefined> {
  const draft = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(draft, 'wx', OWNER_ONLY_FILE).catch((error: unknown) => {
    throw new KmsError(KmsErrorCode.MasterKeyFileInvalid, `Cannot create local KMS master key file ${path}: ${errnoCode(error)}`);
  });
  try {
    const key = randomBytes(MASTER_KEY_BYTES);
    try {
      await file.write(key, 0, MASTER_KEY_BYTES, 0);
      await file.sync();
    } finally {
      await file.close();
    }
    return await link(draft, path).then(
      () => key,
      (error: unknown) => {
        if (isErrno(error, 'EEXIST')) return undefined;
        throw new KmsError(KmsErrorCode.MasterKeyFileInvalid, `Cannot create local KMS master key file ${path}: ${errnoCode(error)}`);
      },
    );
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code;
}

function errnoCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return 'unknown error';
}
