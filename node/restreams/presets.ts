// What each streaming platform accepts, kept per platform as OBS keeps it per service, so that a
// destination can be made from a preset and a restream can be warned when its stream breaks the
// platform's rules (warnings.ts). Every figure names where it comes from.
//
// Sources (the [obs] figures were read from the file itself; the platform pages are cited as
// their publishers title them and were not re-read while writing this):
// [obs]  OBS Studio's service list, plugins/rtmp-services/data/services.json (obsproject/obs-studio,
//        commit f86e9c1d, 2026-08-21): "servers", "recommended.keyint", "recommended.max video
//        bitrate", "supported video codecs". OBS has no Kick or LinkedIn entry.
// [yt]   YouTube Help, "Choose live encoder settings, bitrates, and resolutions": keyframe
//        frequency 2 s (at most 4 s); audio AAC or MP3, 128 kbps stereo recommended.
// [yt-audio] datarhei restreamer issue #937: YouTube drops the audio of a stream under 64 kbit/s.
//        No platform here documents a floor; 64 kbit/s is used for all as the one observed one.
// [twitch] Twitch Help, "Broadcasting Guidelines": H.264, keyframe interval 2 s, AAC-LC.
// [fb]   Meta for Developers, Live Video API, "Video requirements": RTMPS, H.264, AAC, a keyframe
//        every 2 s.
// [kick] Kick Help Center, "Streaming with OBS": the RTMPS server (Amazon IVS), whose path must keep
//        "/app" (datarhei restreamer issues #523 and #583: a URL without it is refused), keyframe
//        2 s, H.264 + AAC, 8 Mbps video at most.
// [x]    X Help, "Media Studio Producer: live video specifications": H.264, AAC, keyframe every 3 s
//        or less (as [obs] keyint 3).
// [li]   LinkedIn Help, "LinkedIn Live: custom stream (RTMP) requirements": H.264, AAC 48 kHz,
//        keyframe every 2 s, video up to 6 Mbps; the RTMP(S) URL is made per live event in
//        LinkedIn's Live Video Studio, so the preset has none and the URL must be given.
import type { AudioCodec, VideoCodec } from "../defs/codecs.js";
import type { DestinationTarget } from "../defs/destination.js";

export interface Preset {
  readonly id: string;
  readonly name: string;
  /** The ingest server URL without the key; null: the platform makes one per event (give it). */
  readonly url: string | null;
  readonly protocol: "rtmp" | "rtmps";
  /** The application path a URL for this platform must have (Kick: "app"); null: any. */
  readonly requiredApp: string | null;
  readonly maxVideoBitrateKbps: number;
  /** The longest keyframe interval the platform accepts without warning or buffering. */
  readonly keyframeSeconds: number;
  readonly videoCodecs: readonly Extract<VideoCodec, "h264" | "hevc">[];
  readonly audio: { readonly codec: Extract<AudioCodec, "aac">; readonly minBitrateKbps: number };
}

export const PRESETS: readonly Preset[] = [
  {
    id: "youtube",
    name: "YouTube (RTMP)",
    url: "rtmp://a.rtmp.youtube.com/live2", // [obs] "Primary YouTube ingest server (legacy RTMP)"
    protocol: "rtmp",
    requiredApp: null,
    maxVideoBitrateKbps: 51_000, // [obs] YouTube - RTMPS "max video bitrate" (4K60)
    keyframeSeconds: 2, // [obs] keyint 2, [yt]
    // [obs] lists hevc and av1 as well, over Enhanced RTMP only: this server's FLV carries H.264.
    videoCodecs: ["h264"],
    audio: { codec: "aac", minBitrateKbps: 64 }, // [yt] AAC; [yt-audio] 64 kbit/s floor
  },
  {
    id: "youtube-rtmps",
    name: "YouTube (RTMPS)",
    url: "rtmps://a.rtmps.youtube.com:443/live2", // [obs] "Primary YouTube ingest server"
    protocol: "rtmps",
    requiredApp: null,
    maxVideoBitrateKbps: 51_000, // [obs]
    keyframeSeconds: 2, // [obs], [yt]
    videoCodecs: ["h264"],
    audio: { codec: "aac", minBitrateKbps: 64 }, // [yt], [yt-audio]
  },
  {
    id: "twitch",
    name: "Twitch",
    url: "rtmp://live-iad.twitch.tv/app", // [obs] "US East: Ashburn, VA" (others: rtmp://live-*.twitch.tv/app)
    protocol: "rtmp",
    requiredApp: null,
    maxVideoBitrateKbps: 6_000, // [obs] "max video bitrate": 6000
    keyframeSeconds: 2, // [obs] keyint 2, [twitch]
    videoCodecs: ["h264"], // [obs] supported video codecs: h264
    audio: { codec: "aac", minBitrateKbps: 64 }, // [twitch] AAC-LC; [yt-audio]
  },
  {
    id: "facebook",
    name: "Facebook Live (RTMPS)",
    url: "rtmps://rtmp-api.facebook.com:443/rtmp", // [obs] "Facebook Live" server
    protocol: "rtmps",
    requiredApp: null,
    maxVideoBitrateKbps: 9_000, // [obs] "max video bitrate": 9000 (1080p60)
    keyframeSeconds: 2, // [obs] keyint 2, [fb]
    videoCodecs: ["h264"], // [obs], [fb]
    audio: { codec: "aac", minBitrateKbps: 64 }, // [fb] AAC; [yt-audio]
  },
  {
    id: "kick",
    name: "Kick (RTMPS)",
    url: "rtmps://fa723fc1b171.global-contribute.live-video.net:443/app", // [kick]
    protocol: "rtmps",
    requiredApp: "app", // [kick]: restreamer #523, #583
    maxVideoBitrateKbps: 8_000, // [kick]
    keyframeSeconds: 2, // [kick]
    videoCodecs: ["h264"], // [kick]
    audio: { codec: "aac", minBitrateKbps: 64 }, // [kick] AAC; [yt-audio]
  },
  {
    id: "x",
    name: "X (Twitter)",
    url: "rtmp://va.pscp.tv:80/x", // [obs] "Twitter" servers, US East
    protocol: "rtmp",
    requiredApp: null,
    maxVideoBitrateKbps: 12_000, // [obs] "max video bitrate": 12000
    keyframeSeconds: 3, // [obs] keyint 3, [x]
    videoCodecs: ["h264"], // [obs]
    audio: { codec: "aac", minBitrateKbps: 64 }, // [x] AAC; [yt-audio]
  },
  {
    id: "linkedin",
    name: "LinkedIn Live",
    url: null, // [li]: made per event
    protocol: "rtmps",
    requiredApp: null,
    maxVideoBitrateKbps: 6_000, // [li]
    keyframeSeconds: 2, // [li]
    videoCodecs: ["h264"], // [li]
    audio: { codec: "aac", minBitrateKbps: 64 }, // [li] AAC; [yt-audio]
  },
];

export const PRESET_IDS = PRESETS.map((preset) => preset.id) as [string, ...string[]];

/** The preset with this id, or undefined (a destination may name one removed since). */
export function presetById(id: string | null | undefined): Preset | undefined {
  return id ? PRESETS.find((preset) => preset.id === id) : undefined;
}

/** What the API shows of a preset. */
export function presetView(preset: Preset) {
  return {
    id: preset.id,
    name: preset.name,
    url: preset.url,
    protocol: preset.protocol,
    requiredApp: preset.requiredApp,
    maxVideoBitrateKbps: preset.maxVideoBitrateKbps,
    keyframeSeconds: preset.keyframeSeconds,
    videoCodecs: preset.videoCodecs,
    audio: preset.audio,
  };
}

/**
 * Why `url` cannot be this preset's destination, or null when it can. Only the rules a platform
 * states are checked: its protocol family (RTMP or RTMPS, not SRT) and a required path (Kick's "app").
 */
export function presetUrlProblem(preset: Preset, target: DestinationTarget): string | null {
  if (target.kind === "srt") return `${preset.name} takes RTMP or RTMPS, not SRT`;
  if (preset.requiredApp !== null && target.app !== preset.requiredApp) {
    return `${preset.name} needs the path /${preset.requiredApp}/ in its URL, e.g. ${preset.url}`;
  }
  return null;
}
