// Port checks before starting a local service: is the port free on 127.0.0.1, and if not, who holds it
// (best effort, from /proc/net/tcp*), so the error can name the process and the config field to change.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

/** true when we could bind 127.0.0.1:port (so nothing else listens there, on 127.0.0.1 or a wildcard address). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** true when something accepts a TCP connection on host:port within timeoutMs. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.connect(port, host, () => done(true));
  });
}

/** Socket inodes listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st ... inode(9)
      if (cols.length < 10) continue;
      if (cols[3] !== '0A') continue; // LISTEN
      if (cols[1]?.split(':')[1] === hex && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** "pid 1234 (java -cp ...)" for the process listening on port, when /proc lets us see it. */
export function describePortOwner(port: number): string | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        } catch {
          // gone
        }
        if (cmd.length > 160) cmd = cmd.slice(0, 157) + '...';
        return `pid ${pid}${cmd ? ` (${cmd})` : ''}`;
      }
    }
  }
  return undefined;
}
