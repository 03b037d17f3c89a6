// The benchmarks, by name: npm run bench -- <name> [options]
//   restreams  start latency and cost of N restreams per engine, against bare ffmpeg relays and nginx-rtmp's push
//              (bench/restreams.ts)
//   store      store write latency (bench/store-writes.ts; also `npm run bench:store`)
//   mesh       N restreams over a 3-node mesh: convergence after a leader change, memory (bench/mesh.ts)
//   operations CPU and store calls per state change of the history and of webhook deliveries
//              (bench/operations-cost.ts)
//   scale      issue 17's figures in one run: native pushes beside nginx-rtmp and Node-Media-Server, an idle
//              node, SSE clients, REST and placement over a 3-node mesh (bench/scale.ts)
//   encoders   one shared encoder feeding N restreams against N separate transcodes; encoder start latency
//              (bench/encoders.ts)
//   backup     backup ingest: primary killed -> backup frames at the destination, and back, over N rounds
//              (bench/backup-switch.ts)
//   soak       50 restreams over the three-host netns lab, a fault every 2 minutes, for 30 minutes: RSS, fds,
//              restarts and duplicates over time (bench/soak/, run under vitest; needs root)
//   dashboard  the overview dashboard's screenshot from Prometheus query results (bench/render-dashboard.ts)
const [name, ...rest] = process.argv.slice(2);

switch (name) {
  case "restreams": {
    const { runRestreamsBench } = await import("./restreams.js");
    await runRestreamsBench(rest);
    break;
  }
  case "mesh": {
    const { runMeshBench } = await import("./mesh.js");
    await runMeshBench(rest);
    break;
  }
  case "scale": {
    const { runScaleBench } = await import("./scale.js");
    await runScaleBench(rest);
    break;
  }
  case "backup": {
    const { runBackupSwitchBench } = await import("./backup-switch.js");
    await runBackupSwitchBench(rest);
    break;
  }
  case "dashboard": {
    const { runDashboardRender } = await import("./render-dashboard.js");
    await runDashboardRender(rest);
    break;
  }
  case "encoders": {
    const { runEncodersBench } = await import("./encoders.js");
    await runEncodersBench(rest);
    break;
  }
  case "operations": {
    const { runOperationsBench } = await import("./operations-cost.js");
    await runOperationsBench();
    break;
  }
  case "soak": {
    const { runSoak } = await import("./soak-runner.js");
    process.exitCode = runSoak(rest);
    break;
  }
  case "store":
    await import("./store-writes.js");
    break;
  default:
    process.stderr.write(
      "usage: npm run bench -- restreams|mesh|scale|store|operations|encoders|backup|soak|dashboard [options]\n",
    );
    process.exitCode = 2;
}
