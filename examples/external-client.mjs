#!/usr/bin/env node
// A service of your own, in your own Moleculer node, calling Streamwell over the mesh's NATS.
// It is not a Streamwell node: just a ServiceBroker with the same transporter and namespace.
// Every call is authorised like an HTTP request: a Streamwell user's token in ctx.meta.token.
//
//   NATS_URL=nats://user:password@127.0.0.1:4222 STREAMWELL_NAMESPACE=streamwell \
//   STREAMWELL_USERNAME=admin STREAMWELL_PASSWORD=... node examples/external-client.mjs
//
// It prints one JSON line per step. Run it from the repository (it uses its node_modules).
import moleculer from "moleculer";

const {
  NATS_URL,
  STREAMWELL_NAMESPACE = "streamwell",
  STREAMWELL_USERNAME,
  STREAMWELL_PASSWORD,
} = process.env;
if (!NATS_URL || !STREAMWELL_USERNAME || !STREAMWELL_PASSWORD) {
  process.stderr.write(
    "set NATS_URL, STREAMWELL_USERNAME and STREAMWELL_PASSWORD (see the comment at the top)\n",
  );
  process.exit(2);
}

const broker = new moleculer.ServiceBroker({
  nodeID: `external-client-${process.pid}`,
  namespace: STREAMWELL_NAMESPACE,
  transporter: NATS_URL, // Moleculer takes user and password from the URL
  logger: false,
});

function step(name, result) {
  process.stdout.write(`${JSON.stringify({ step: name, ...result })}\n`);
}

/** A Streamwell error arrives as a MoleculerClientError: code = HTTP status, type = public error code. */
async function refused(call) {
  try {
    await call();
    return { ok: true };
  } catch (error) {
    return { code: error.code, type: error.type };
  }
}

try {
  await broker.start();
  await broker.waitForServices(["streamwell.users", "streamwell.channels", "streamwell.restreams"], 20_000);

  step("anonymous channels.list", await refused(() => broker.call("streamwell.channels.list")));

  const { token } = await broker.call("streamwell.users.login", {
    username: STREAMWELL_USERNAME,
    password: STREAMWELL_PASSWORD,
  });
  const meta = { token };

  const destination = await broker.call(
    "streamwell.destinations.create",
    { name: "Example destination", url: "rtmp://127.0.0.1:1935/live" },
    { meta },
  );
  const channel = await broker.call(
    "streamwell.channels.create",
    { name: "From an external service" },
    { meta },
  );
  const { items } = await broker.call("streamwell.channels.list", {}, { meta });
  step("channels.list", { channelId: channel.id, channels: items.map((c) => c.name) });

  const restream = await broker.call(
    "streamwell.restreams.create",
    { channelId: channel.id, kind: "destination", destinationId: destination.id, streamKey: "example-key" },
    { meta },
  );
  const started = await broker.call("streamwell.restreams.start", { id: restream.id }, { meta });
  // Nothing publishes to the channel yet, so the restream waits for the stream.
  step("restreams.start", { restreamId: started.id, state: started.state });
} finally {
  await broker.stop();
}
