/** The file URL to import (or start a worker on) for `entry`: a .ts entry's bundle (bin/bundle.js), built if needed; any other file as it is. */
export function bundle(entry: URL | string): Promise<URL>;
