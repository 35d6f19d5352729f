import { useState } from "react";
import { roomLink } from "../router";

/** The room's two links, each with a copy button: to play along, and to listen only. */
export function ShareLinks({ code }: { code: string }) {
  return (
    <>
      <h3>Share</h3>
      <ShareLink label="Room link" caption="to play" copyLabel="Copy the link to join" link={roomLink(code)} />
      <ShareLink label="Listen link" caption="to listen" copyLabel="Copy the link to listen" link={roomLink(code, true)} />
    </>
  );
}

interface ShareLinkProps {
  /** The field's accessible name. */
  label: string;
  /** What the link is for, shown before it. */
  caption: string;
  copyLabel: string;
  link: string;
}

function ShareLink({ label, caption, copyLabel, link }: ShareLinkProps) {
  const [copied, setCopied] = useState(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      window.prompt("Copy this link:", link);
    }
  };

  return (
    <div className="row">
      <span className="hint caption">{caption}</span>
      <input readOnly value={link} aria-label={label} onFocus={(e) => e.target.select()} />
      <button type="button" aria-label={copyLabel} onClick={() => void copy()}>
        {copied ? "Copied!" : "Copy"}
      </button>
    </div>
  );
}
