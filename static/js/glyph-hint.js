// Names, as the admin types, the characters no printing font has (they would print as empty
// boxes). The server refuses them on save anyway; this only says so sooner.
(function () {
  document.querySelectorAll(".glyph-hint[data-for]").forEach((hint) => {
    const field = document.getElementById(hint.dataset.for);
    if (!field) return;
    const ranges = JSON.parse(hint.dataset.ranges || "[]");
    const covered = (point) => {
      let low = 0;
      let high = ranges.length - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (point < ranges[middle][0]) high = middle - 1;
        else if (point > ranges[middle][1]) low = middle + 1;
        else return true;
      }
      return false;
    };
    // Controls and format characters (line breaks, joiners) take no glyph.
    const invisible = /[\p{Cc}\p{Cf}]/u;
    const printable = (character) =>
      covered(character.codePointAt(0)) ||
      invisible.test(character) ||
      (character.normalize("NFD").length > 1 &&
        Array.from(character.normalize("NFD")).every((part) => covered(part.codePointAt(0))));
    const check = () => {
      const missing = [];
      for (const character of field.value.normalize("NFC")) {
        if (!printable(character) && !missing.includes(character)) missing.push(character);
      }
      const named = missing.map(
        (c) => `“${c}” (U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")})`
      );
      hint.textContent = hint.dataset.message.replace("%(chars)s", named.join(", "));
      hint.hidden = missing.length === 0;
      if (missing.length) field.setAttribute("aria-invalid", "true");
      else if (hint.dataset.marked) field.removeAttribute("aria-invalid");
      hint.dataset.marked = missing.length ? "1" : "";
    };
    field.addEventListener("input", check);
    check();
  });
})();
