"""The page's own script, given to ``launch(head=...)``: Copy as plain text, and sources per answer.

Copy: Gradio's copy icon under a message would put the message's HTML on the
clipboard; this takes the click first and copies the plain text each message
carries (``ui.markup.block``): the answer with its ``[n]`` markers, then the
references. Sources: a ``[n]`` shows the section of the answer it belongs to
beside the chat, or, on a screen too narrow for that, opens the sources folded
under the answer itself.
"""

HEAD = """<script>
(() => {
  const copyText = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
    } catch (err) {
      const area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
  };
  const flash = (el) => {
    if (!el) return;
    el.classList.add("nd-flash");
    setTimeout(() => el.classList.remove("nd-flash"), 1600);
  };
  const plainOf = (button) => {
    let row = button.closest(".message-buttons");
    while (row && !row.classList.contains("message-row")) row = row.previousElementSibling;
    return row ? row.querySelector(".nd-plain") : null;
  };
  const onCopy = (event, button) => {
    const plain = plainOf(button);
    if (!plain) return;
    event.preventDefault();
    event.stopPropagation();
    copyText(plain.textContent).then(() => {
      button.classList.add("nd-copied");
      button.setAttribute("title", "Copied");
      setTimeout(() => {
        button.classList.remove("nd-copied");
        button.setAttribute("title", "Copy message");
      }, 1600);
    });
  };
  const onCite = (event, link) => {
    const found = /^#nd-src-(\\d+)-(\\d+)$/.exec(link.getAttribute("href") || "");
    if (!found) return;
    const [, turn, number] = found;
    const column = document.getElementById("nd-sources-col");
    if (!column || column.offsetParent === null) {
      event.preventDefault();
      const folded = link.closest(".nd-msg")?.querySelector("details.nd-inline-src");
      if (!folded) return;
      folded.open = true;
      const card = document.getElementById(`nd-isrc-${turn}-${number}`);
      // Again after the chat's own scrolling to its end, which opening the fold sets off.
      for (const ms of [0, 150, 400]) setTimeout(() => card?.scrollIntoView({ block: "start" }), ms);
      flash(card);
      return;
    }
    for (const section of document.querySelectorAll("#nd-sources .nd-turn-src")) {
      section.classList.toggle("nd-shown", section.dataset.turn === turn);
    }
    flash(document.getElementById(`nd-src-${turn}-${number}`));
  };
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const button = target.closest("#nd-chat .message-buttons button");
    if (button) return onCopy(event, button);
    const link = target.closest("a.nd-cite");
    if (link) return onCite(event, link);
  }, true);
})();
</script>"""
