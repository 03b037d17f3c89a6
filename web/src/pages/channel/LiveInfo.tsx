// What the channel is receiving while live (codecs from the sequence headers, measured bitrate),
// which node holds the ingest and, with a backup encoder, which input is on air.
import type { Channel } from "../../api/types";
import { formatBitrate } from "../../format";

export function LiveInfo({ channel }: { readonly channel: Channel }) {
  const { codecs, stats } = channel;
  return (
    <section className="panel" aria-labelledby="live-title">
      <h2 id="live-title">Live stream</h2>
      {!channel.live ? (
        <p>Offline. Start your encoder with the ingest URL and key.</p>
      ) : (
        <dl className="facts">
          <dt>Node</dt>
          <dd>{channel.node}</dd>
          {channel.backup && (
            <>
              <dt>On air</dt>
              <dd>
                {channel.input === "backup"
                  ? "Backup encoder"
                  : channel.input === "primary"
                    ? "Primary encoder"
                    : "Waiting for a keyframe"}
              </dd>
            </>
          )}
          {codecs?.video && (
            <>
              <dt>Video</dt>
              <dd>
                {codecs.video.toUpperCase()} {codecs.profile} {codecs.level && `level ${codecs.level}`}
                {codecs.width && `, ${codecs.width}×${codecs.height}`}
                {stats && stats.fps > 0 && `, ${stats.fps.toFixed(0)} fps`}
              </dd>
            </>
          )}
          {codecs?.audio && (
            <>
              <dt>Audio</dt>
              <dd>
                {codecs.audio.toUpperCase()}
                {codecs.sampleRate && `, ${codecs.sampleRate / 1000} kHz`}
                {codecs.channels && `, ${codecs.channels === 2 ? "stereo" : `${codecs.channels} ch`}`}
              </dd>
            </>
          )}
          {stats && (
            <>
              <dt>Bitrate</dt>
              <dd>{formatBitrate(stats.bitrateBps)}</dd>
              {stats.keyframeIntervalSeconds > 0 && (
                <>
                  <dt>Keyframe interval</dt>
                  <dd>{stats.keyframeIntervalSeconds.toFixed(1)} s</dd>
                </>
              )}
            </>
          )}
        </dl>
      )}
    </section>
  );
}
