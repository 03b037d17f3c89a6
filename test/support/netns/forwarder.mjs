// Run inside the lab's control namespace: accepts on a Unix socket (the file system is shared
// across network namespaces), reads one line "host:port", connects there and pipes both ways.
// The test process reaches the hosts' APIs through it without any address in the root namespace.
import { connect, createServer } from "node:net";

const socketPath = process.argv[2];
const server = createServer((client) => {
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(10);
    if (end < 0) return;
    client.off("data", onData);
    const [host, port] = head.subarray(0, end).toString().split(":");
    const upstream = connect({ host, port: Number(port) });
    const rest = head.subarray(end + 1);
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream).pipe(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  };
  client.on("data", onData);
});
server.listen(socketPath, () => process.stdout.write("ready\n"));
