// Run inside the destination's namespace: nginx-rtmp's on_publish / on_publish_done hook. Allows
// every publish and prints one JSON line per call on stdout, so the test counts the publishers the
// destination saw.
import { createServer } from "node:http";

const port = Number(process.argv[2]);
createServer((request, response) => {
  let body = "";
  request.setEncoding("utf8");
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
    const form = new URLSearchParams(body);
    // clientid: nginx's connection number, as its error.log names the connection ("*<N>").
    const event = {
      call: form.get("call"),
      name: form.get("name"),
      addr: form.get("addr"),
      clientId: Number(form.get("clientid")),
      at: Date.now(),
    };
    process.stdout.write(`${JSON.stringify(event)}\n`);
    response.end();
  });
}).listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
