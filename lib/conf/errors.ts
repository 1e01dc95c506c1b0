/**
 * A problem in a config file, always located as `file:line`.
 *
 * @module
 */

export class ConfigError extends Error {
  constructor(readonly file: string, readonly lineNo: number, readonly detail: string) {
    super(`${file}:${lineNo}: ${detail}`);
    this.name = "ConfigError";
  }
}

/** Thrown when a config file cannot be used at all (missing, unreadable). */
export class ConfigFileError extends Error {
  constructor(readonly file: string, detail: string) {
    super(detail);
    this.name = "ConfigFileError";
  }
}

/** Read a config file as bytes, turning I/O failures into a NUT-style message. */
export async function readConfigFile(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConfigFileError(path, `stat ${path}: No such file or directory`);
    }
    if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
      throw new ConfigFileError(path, `Can't open ${path}: Permission denied`);
    }
    throw new ConfigFileError(path, `Can't open ${path}: ${(e as Error).message}`);
  }
}
