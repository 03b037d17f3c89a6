// What the test clip's channel looks like: 1280x720 H.264 High 3.1 + AAC 48 kHz stereo.
import type { ChannelCodecs } from "../../node/defs/codecs.js";

export const H264_AAC_720P: ChannelCodecs = {
  video: "h264",
  audio: "aac",
  width: 1280,
  height: 720,
  profile: "High",
  level: "3.1",
  sampleRate: 48000,
  channels: 2,
};
