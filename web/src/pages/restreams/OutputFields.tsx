// The output profile of a push as two choices, video and audio: copy (the placeholder), or one of
// the profiles of output-profiles.ts. A profile set through the API that the lists do not have is
// offered as it is, so editing a restream never changes it unasked.
import { useState } from "react";
import { SelectField } from "../../components/SelectField";
import {
  AUDIO_CHOICES,
  type AudioSetting,
  describeAudio,
  describeVideo,
  type Output,
  sameSetting,
  VIDEO_CHOICES,
  type VideoSetting,
} from "./output-profiles";

interface SettingSelectProps<T extends VideoSetting | AudioSetting> {
  readonly label: string;
  readonly placeholder: string;
  readonly choices: readonly Exclude<T, "copy">[];
  /** The setting the form opened with: kept as a choice when the list lacks it. */
  readonly initial: T;
  readonly value: T;
  readonly describe: (setting: T) => string;
  readonly error: string | undefined;
  readonly onChange: (setting: T) => void;
}

function SettingSelect<T extends VideoSetting | AudioSetting>(props: SettingSelectProps<T>) {
  const { initial, value, describe, onChange } = props;
  const listed = initial === "copy" || props.choices.some((choice) => sameSetting(choice, initial));
  const settings: readonly T[] = listed ? props.choices : [...props.choices, initial];
  const index = value === "copy" ? -1 : settings.findIndex((setting) => sameSetting(setting, value));
  return (
    <SelectField
      label={props.label}
      value={index === -1 ? "" : String(index)}
      error={props.error}
      onChange={(event) => {
        const picked = event.target.value;
        onChange(picked === "" ? ("copy" as T) : (settings[Number(picked)] as T));
      }}
      options={settings.map((setting, at) => ({ value: String(at), label: describe(setting) }))}
      placeholder={props.placeholder}
    />
  );
}

interface OutputFieldsProps {
  readonly value: Output;
  readonly error: string | undefined;
  readonly onChange: (output: Output) => void;
}

export function OutputFields({ value, error, onChange }: OutputFieldsProps) {
  const [initial] = useState(value);
  return (
    <fieldset className="output-profile">
      <legend>Output</legend>
      <SettingSelect<VideoSetting>
        label="Video"
        placeholder="Copy: video as the channel sends it"
        choices={VIDEO_CHOICES}
        initial={initial.video}
        value={value.video}
        describe={describeVideo}
        error={error}
        onChange={(video) => onChange({ ...value, video })}
      />
      <SettingSelect<AudioSetting>
        label="Audio"
        placeholder="Copy: audio as the channel sends it"
        choices={AUDIO_CHOICES}
        initial={initial.audio}
        value={value.audio}
        describe={describeAudio}
        error={undefined}
        onChange={(audio) => onChange({ ...value, audio })}
      />
      <p className="hint">Restreams of this channel with the same output share one encoder.</p>
    </fieldset>
  );
}
