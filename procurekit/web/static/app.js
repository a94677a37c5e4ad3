// Progressive enhancement only: every form works without this file.
// The upload field: files dropped anywhere on its card are taken, and the chosen names are listed.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-drop]")) {
    const input = form.querySelector("input[type=file]");
    const zone = form.querySelector(".drop");
    const list = document.createElement("p");
    list.className = "chosen-files";
    zone.after(list);
    const show = () => { list.textContent = Array.from(input.files).map((f) => f.name).join(", "); };
    input.addEventListener("change", show);
    form.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    form.addEventListener("dragleave", () => zone.classList.remove("over"));
    form.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      input.files = e.dataTransfer.files;
      show();
    });
  }
});
