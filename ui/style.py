"""The page's CSS, kept in Python so it ships with the package without package-data."""

CSS = """
.nd-settings-line { font-size: 0.85em; color: var(--body-text-color-subdued); display: flex;
  flex-wrap: wrap; gap: 0.3em 1em; }
.nd-settings-line b { font-weight: 600; color: var(--body-text-color); }
.nd-msg { line-height: 1.5; }
.nd-msg a.nd-cite { font-size: 0.8em; vertical-align: super; text-decoration: none; font-weight: 600;
  padding: 0 1px; color: var(--color-accent); }
.nd-msg a.nd-cite:hover { text-decoration: underline; }
#nd-ask, #nd-clear { min-width: 90px; }
.nd-refs { margin: 0.6em 0 0 0; padding: 0.4em 0 0 0; border-top: 1px solid var(--border-color-primary);
  font-size: 0.82em; list-style: none; }
.nd-refs li { margin: 0.1em 0; }
.nd-meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
.nd-abstain { color: var(--body-text-color-subdued); font-style: italic; border-left: 4px solid #9ca3af;
  padding-left: 0.6em; }
.nd-abstain strong { font-style: normal; }
.nd-error { color: #b45309; border-left: 4px solid #f59e0b; padding-left: 0.6em; }
.nd-cursor { opacity: 0.6; animation: nd-blink 1s steps(1) infinite; }
@keyframes nd-blink { 50% { opacity: 0; } }
#nd-sources { max-height: 78vh; overflow-y: auto !important; padding-right: 4px; }
.nd-sources-head { font-weight: 600; margin-bottom: 0.5em; }
.nd-sources-head .nd-q { font-weight: 400; color: var(--body-text-color-subdued); }
.nd-empty { color: var(--body-text-color-subdued); font-style: italic; padding: 1em 0; }
.nd-card { scroll-margin-top: 8px; border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6em 0.8em;
  margin-bottom: 0.6em; background: var(--block-background-fill); }
.nd-card-head { font-weight: 600; }
.nd-num { color: var(--color-accent); margin-right: 0.3em; }
.nd-card .nd-meta { margin: 0.2em 0 0.4em 0; }
.nd-passage { margin: 0; padding: 0 0 0 0.6em; border-left: 3px solid var(--border-color-primary);
  font-size: 0.9em; }
.nd-passage mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.nd-retrieved { opacity: 0.9; }
.nd-uncited summary { cursor: pointer; color: var(--body-text-color-subdued); margin: 0.4em 0; }
.nd-failed .nd-sources-head { color: #b45309; }
.nd-waiting { color: var(--body-text-color-subdued); font-style: italic; }
#nd-chat .progress-text { font-size: 0.95em; font-weight: 600; color: var(--color-accent); }
.nd-settings th { text-align: left; padding-right: 1em; font-weight: 600; }
"""
