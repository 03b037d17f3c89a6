// Server Features (admins): the restreaming and SRT switches. Turning one off stops its restreams.
import { useState } from "react";
import { type ApiError, api } from "../api/client";
import type { Features } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { PageTitle } from "../components/PageTitle";
import { useResource } from "../hooks/useResource";

const SWITCHES: readonly { key: keyof Features; label: string; hint: string }[] = [
  {
    key: "restreaming",
    label: "Restreaming",
    hint: "Pushing channels to destinations. Off stops every restream.",
  },
  {
    key: "srt",
    label: "SRT",
    hint: "SRT destinations, SRT Push and Remote Playback. Off stops those restreams.",
  },
];

export function FeaturesPage() {
  const features = useResource(api.features.get, "features");
  const [error, setError] = useState<ApiError>();

  // The switch moves at once; the server's answer confirms it or puts it back.
  const toggle = async (key: keyof Features, on: boolean) => {
    const before = features.data;
    features.setData((current) => current && { ...current, [key]: on });
    try {
      features.setData(await api.features.update({ [key]: on }));
      setError(undefined);
    } catch (reason) {
      features.setData(before);
      setError(reason as ApiError);
    }
  };

  return (
    <>
      <PageTitle title="Server Features">Server Features</PageTitle>
      <ErrorMessage error={features.error ?? error} />
      {features.data && (
        <ul className="switches">
          {SWITCHES.map(({ key, label, hint }) => (
            <li key={key}>
              <label className="switch">
                <input
                  type="checkbox"
                  checked={features.data?.[key] ?? false}
                  aria-describedby={`${key}-hint`}
                  onChange={(event) => toggle(key, event.target.checked)}
                />
                {label}
              </label>
              <p className="hint" id={`${key}-hint`}>
                {hint}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
