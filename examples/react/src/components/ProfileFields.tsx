import { INSTRUMENTS } from "../config";
import type { Profile } from "../useJamSession";

/** `listener`: only the name (a listener plays no instrument). */
export function ProfileFields({
  profile,
  onChange,
  listener = false,
}: {
  profile: Profile;
  onChange: (profile: Profile) => void;
  listener?: boolean;
}) {
  return (
    <div className="fields">
      <label>
        Your name
        {/* biome-ignore lint/a11y/noAutofocus: the name is the first thing to fill in on the pages that show these fields */}
        <input value={profile.name} maxLength={32} autoFocus onChange={(e) => onChange({ ...profile, name: e.target.value })} />
      </label>
      {!listener && (
        <label>
          Instrument
          <select value={profile.instrument} onChange={(e) => onChange({ ...profile, instrument: e.target.value })}>
            {INSTRUMENTS.map((instrument) => (
              <option key={instrument}>{instrument}</option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
