"""The page's CSS, kept in Python so it ships with the package without package-data.

Colours are set for light and dark (Gradio adds ``.dark`` when the system asks
for it) so every text keeps a contrast of at least 4.5:1 against its
background; Gradio's "subdued" grey is lighter than that, so ours is our own.
Below 700 px the sources beside the chat give way to the ones folded under
each answer, and the header stays one row.
"""

CSS = """
:root, .light { --nd-subdued: #4b5563; --nd-link: #1d4ed8; --nd-warn: #92400e; --nd-mark-bg: #fde68a;
  --nd-mark-fg: #1f2937; --nd-flash: #bfdbfe; }
.dark { --nd-subdued: #a1a1aa; --nd-link: #93c5fd; --nd-warn: #fbbf24; --nd-mark-bg: #854d0e;
  --nd-mark-fg: #fefce8; --nd-flash: #1e3a8a; }
#nd-header { flex-wrap: nowrap; align-items: center; gap: 0.8em; }
#nd-header > * { min-width: 0 !important; }
#nd-title { flex: 0 0 auto !important; width: auto !important; }
#nd-status { flex: 1 1 auto !important; }
#nd-title h2 { margin: 0; white-space: nowrap; }
.nd-settings-line { font-size: 0.9em; color: var(--nd-subdued); }
.nd-settings-line b { font-weight: 600; color: var(--body-text-color); }
.nd-msg { line-height: 1.5; }
.nd-plain { display: none; }
.nd-msg a.nd-cite { font-size: 0.8em; vertical-align: super; text-decoration: none; font-weight: 600;
  padding: 0 1px; color: var(--nd-link); }
.nd-msg a.nd-cite:hover { text-decoration: underline; }
.nd-msg a, .nd-sources a { color: var(--nd-link); }
#nd-ask, #nd-clear, #nd-stop { min-width: 90px; }
.nd-refs { margin: 0.6em 0 0 0; padding: 0.4em 0 0 0; border-top: 1px solid var(--border-color-primary);
  font-size: 0.82em; list-style: none; }
.nd-refs li { margin: 0.1em 0; }
.nd-meta, .nd-applied { color: var(--nd-subdued); font-size: 0.9em; }
.nd-applied { margin-top: 0.4em; font-size: 0.8em; }
.nd-abstain { color: var(--body-text-color); font-style: italic; border-left: 4px solid #9ca3af;
  padding-left: 0.6em; }
.nd-error, .nd-stopped { color: var(--nd-warn); border-left: 4px solid #f59e0b; padding-left: 0.6em; }
.nd-cursor { opacity: 0.6; animation: nd-blink 1s steps(1) infinite; }
@keyframes nd-blink { 50% { opacity: 0; } }
#nd-sources { max-height: 78vh; overflow-y: auto !important; padding-right: 4px; }
#nd-sources .nd-turn-src:not(.nd-shown) { display: none; }
.nd-sources-head { font-weight: 600; margin-bottom: 0.5em; }
.nd-sources-head .nd-q { font-weight: 400; color: var(--nd-subdued); }
.nd-empty { color: var(--nd-subdued); font-style: italic; padding: 1em 0; }
.nd-card { scroll-margin-top: 8px; border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.6em 0.8em; margin-bottom: 0.6em; background: var(--block-background-fill);
  transition: background-color 0.4s; }
.nd-card.nd-flash { background: var(--nd-flash); }
.nd-card-head { font-weight: 600; }
.nd-num { color: var(--nd-link); margin-right: 0.3em; }
.nd-card .nd-meta { margin: 0.2em 0 0.4em 0; }
.nd-passage { margin: 0; padding: 0 0 0 0.6em; border-left: 3px solid var(--border-color-primary);
  font-size: 0.9em; color: var(--body-text-color); }
.nd-passage mark { background: var(--nd-mark-bg); color: var(--nd-mark-fg); padding: 0 1px;
  border-radius: 2px; }
.nd-retrieved { opacity: 1; }
.nd-uncited summary, .nd-inline-src summary { cursor: pointer; color: var(--nd-subdued); margin: 0.4em 0; }
.nd-failed .nd-sources-head { color: var(--nd-warn); }
.nd-waiting { color: var(--nd-subdued); font-style: italic; }
#nd-chat .progress-text { font-size: 0.95em; font-weight: 600; color: var(--nd-link); }
#nd-stop { flex-grow: 0; }
.nd-copied { color: #15803d !important; }
.nd-settings th { text-align: left; padding-right: 1em; font-weight: 600; }
.nd-inline-src { display: none; margin-top: 0.5em; }
@media (max-width: 700px) {
  #nd-sources-col { display: none !important; }
  .nd-inline-src { display: block; }
  #nd-chat { height: 62vh !important; }
  #nd-header { padding: 0; }
  #nd-title h2 { font-size: 1.2em; }
}
"""
